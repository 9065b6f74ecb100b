// Package scratch makes the temporary files and directories ksm leaves
// nowhere: each is named after the ksm process that made it, removed when
// that process ends normally or on a stop signal (RemoveAll), and, when
// it was killed (SIGKILL leaves no chance), by the next ksm that looks in
// the same place (RemoveStale).
package scratch

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// live holds the paths this process made and has not removed yet.
var live sync.Map // string → struct{}

// name is prefix-PID-, the pattern RemoveStale recognises.
func name(prefix string, pid int) string { return prefix + strconv.Itoa(pid) + "-" }

// MkdirTemp makes a directory (0700) in dir (os.TempDir() if empty) named
// prefix-PID-random. remove deletes it and forgets it.
func MkdirTemp(dir, prefix string) (path string, remove func(), err error) {
	if dir == "" {
		dir = os.TempDir()
	}
	RemoveStale(dir, prefix)
	path, err = os.MkdirTemp(dir, name(prefix, os.Getpid())+"*")
	if err != nil {
		return "", nil, err
	}
	return path, hold(path), nil
}

// CreateTemp makes a file (0600) in dir named prefix-PID-random. remove
// deletes it unless it was renamed away, and forgets it.
func CreateTemp(dir, prefix string) (f *os.File, remove func(), err error) {
	RemoveStale(dir, prefix)
	f, err = os.CreateTemp(dir, name(prefix, os.Getpid())+"*")
	if err != nil {
		return nil, nil, err
	}
	return f, hold(f.Name()), nil
}

func hold(path string) func() {
	live.Store(path, struct{}{})
	var once sync.Once
	return func() {
		once.Do(func() {
			_ = os.RemoveAll(path)
			live.Delete(path)
		})
	}
}

// RemoveAll removes every path this process made and still holds: what a
// signal handler calls before ksm exits.
func RemoveAll() {
	live.Range(func(k, _ any) bool {
		_ = os.RemoveAll(k.(string))
		live.Delete(k)
		return true
	})
}

// RemoveStale deletes what ksm processes that no longer exist left in dir
// under prefix. Only entries of ours (same owner) are touched; failure is
// harmless.
func RemoveStale(dir, prefix string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok {
			continue
		}
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || pid == os.Getpid() || processExists(pid) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if ownedByUs(path) {
			_ = os.RemoveAll(path)
		}
	}
}

func processExists(pid int) bool {
	// A zombie (killed, not yet reaped by a parent that died too) made
	// nothing it can still use.
	if stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil {
		if i := strings.LastIndexByte(string(stat), ')'); i >= 0 && strings.HasPrefix(string(stat[i+1:]), " Z") {
			return false
		}
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || err == syscall.EPERM || !isUnix
}
