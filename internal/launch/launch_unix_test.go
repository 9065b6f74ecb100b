//go:build unix

package launch

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ksm-cli/ksm/internal/storecall"
)

// assertGone fails unless every pid has exited: either reaped or a zombie
// waiting for init (an orphaned grandchild is reaped by init, not by us).
func assertGone(t *testing.T, pids []int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range pids {
		for !gone(pid) {
			if time.Now().After(deadline) {
				t.Errorf("process %d still running", pid)
				break
			}
			time.Sleep(10 * time.Millisecond) // polling a process table, with a deadline
		}
	}
}

func gone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	s := string(stat)
	return strings.HasPrefix(strings.TrimSpace(s[strings.LastIndex(s, ")")+1:]), "Z")
}

func TestSocketIsPrivate(t *testing.T) {
	conn, _, err := launchFaulty(t, context.Background(), "serve", LaunchConfig{})
	if err != nil {
		t.Fatal(err)
	}
	sock := conn.client.ReattachConfig().Addr.String()
	if !strings.HasPrefix(sock, conn.dir+"/") {
		t.Fatalf("socket %s is not under %s", sock, conn.dir)
	}
	// Every directory from ours down to the socket: 0700 and ours.
	for dir := filepath.Dir(sock); ; dir = filepath.Dir(dir) {
		fi, err := os.Lstat(dir)
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if fi.Mode().Perm() != 0o700 || !fi.IsDir() || int(st.Uid) != os.Getuid() {
			t.Errorf("%s: mode %v uid %d, want a 0700 directory owned by uid %d", dir, fi.Mode(), st.Uid, os.Getuid())
		}
		if dir == conn.dir {
			break
		}
	}
}

func TestCloseKillsWhatThePluginStarted(t *testing.T) {
	conn, pidfile, err := launchFaulty(t, context.Background(), "spawn", LaunchConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := storecall.Describe(context.Background(), conn.Store); err != nil {
		t.Fatal(err)
	}
	// The child records its pid when it starts; wait for it.
	deadline := time.Now().Add(10 * time.Second)
	for len(pids(t, pidfile)) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	p := pids(t, pidfile)
	if len(p) != 2 {
		t.Fatalf("pids %v, want the plugin's and its child's", p)
	}
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
	assertGone(t, p)
}
