package launch

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// descendants lists the processes below pid: those that left its process
// group (setsid) included, which a group kill misses. It walks the
// kernel's children lists (/proc/PID/task/*/children), a few files, not
// every process: the full /proc scan, its fallback where the kernel has no
// such lists, costs ~4-5 ms at every plugin stop.
func descendants(pid int) []int {
	if !haveChildrenLists() {
		return descendantsByScan(pid)
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range childrenOf(strconv.Itoa(p)) {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}

// haveChildrenLists: the kernel keeps /proc/PID/task/TID/children
// (CONFIG_PROC_CHILDREN, Linux 4.2 and later, almost everywhere).
var haveChildrenLists = sync.OnceValue(func() bool {
	_, err := os.Stat("/proc/self/task/" + strconv.Itoa(os.Getpid()) + "/children")
	return err == nil
})

// childrenOf reads the children of every thread of the process named by
// proc ("self" or a pid).
func childrenOf(proc string) []int {
	files, _ := filepath.Glob("/proc/" + proc + "/task/*/children")
	var out []int
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, field := range strings.Fields(string(data)) {
			if c, err := strconv.Atoi(field); err == nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// ownChildren lists this process's children.
func ownChildren() []int {
	if haveChildrenLists() {
		return childrenOf("self")
	}
	self := os.Getpid()
	var out []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if p, err := strconv.Atoi(e.Name()); err == nil {
			if pp, ok := parentOf(p); ok && pp == self {
				out = append(out, p)
			}
		}
	}
	return out
}

// descendantsByScan is descendants from every /proc/PID/stat.
func descendantsByScan(pid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	children := map[int][]int{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if pp, ok := parentOf(p); ok {
			children[pp] = append(children[pp], p)
		}
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}

// parentOf reads the parent pid from /proc/PID/stat (the field after the
// command name, which may itself hold spaces and parentheses).
func parentOf(pid int) (int, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	fields := strings.Fields(s[i+1:])
	if len(fields) < 2 {
		return 0, false
	}
	pp, err := strconv.Atoi(fields[1])
	return pp, err == nil
}

func killAll(pids []int) {
	for _, p := range pids {
		_ = syscall.Kill(p, syscall.SIGKILL)
	}
}

// exited reports whether our child pid has exited, without reaping it
// (WNOWAIT): its status stays for os/exec's Wait.
func exited(pid int) bool {
	var info unix.Siginfo
	err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT|unix.WNOHANG, nil)
	return err == nil && info.Signo == int32(unix.SIGCHLD)
}

// becomeSubreaper makes this process, not init, the parent of whatever
// its descendants orphan; false if the kernel refused (too old).
func becomeSubreaper() bool {
	return unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == nil
}

// sweepOrphans kills and reaps ksm's children that it did not start: those
// a plugin's descendants left to it (becomeSubreaper). Spared are a live
// plugin (registered from before its fork until os/exec's Wait reaped it,
// so its exit status stays for that Wait), and any child in ksm's own
// process group: what the rest of ksm (or a test binary using this
// package) started with os/exec. Only plugins get a group of their own,
// and a plugin's descendant can only be in one of those or in a session of
// its own.
func sweepOrphans() {
	if !adopting.Load() {
		return
	}
	plugins.Lock()
	defer plugins.Unlock()
	own := syscall.Getpgrp()
	var swept []int
	for _, c := range ownChildren() {
		if _, live := plugins.pids[c]; live {
			continue
		}
		if pg, err := syscall.Getpgid(c); err == nil && pg == own {
			continue
		}
		_ = syscall.Kill(c, syscall.SIGKILL)
		swept = append(swept, c)
	}
	reap(swept, orphanReapGrace)
}

// orphanReapGrace bounds the wait for a killed orphan to be reapable: one
// stuck in the kernel (uninterruptible sleep) is left a zombie rather than
// holding up the plugin's stop.
const orphanReapGrace = 500 * time.Millisecond

// reap waits for each pid (never -1: another child's status is not ours
// to take), polling with a deadline since wait4 with a timeout does not
// exist.
func reap(pids []int, grace time.Duration) {
	deadline := time.Now().Add(grace)
	for _, p := range pids {
		for {
			var ws syscall.WaitStatus
			got, err := syscall.Wait4(p, &ws, syscall.WNOHANG, nil)
			if got == p || err != nil || time.Now().After(deadline) {
				break
			}
			time.Sleep(time.Millisecond) // a poll interval, not synchronisation
		}
	}
}
