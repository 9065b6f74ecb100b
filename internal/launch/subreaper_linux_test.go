package launch

import (
	"context"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/ksm-cli/ksm/internal/storecall"
	"github.com/ksm-cli/ksm/shared"
)

// A grandchild that double-forked away from the plugin (its parent left
// the session, started it and exited) is no longer below the plugin: it
// is ended with the plugin all the same, and holding the plugin's stdout
// and stderr it never makes Close hang.
func TestCloseEndsDoubleForkedGrandchild(t *testing.T) {
	conn, pidfile, err := launchFaulty(t, context.Background(), "daemon", LaunchConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := storecall.Describe(context.Background(), conn.Store); err != nil {
		t.Fatal(err)
	}
	closed := make(chan time.Duration)
	go func() { start := time.Now(); _ = conn.Close(); closed <- time.Since(start) }()
	select {
	case d := <-closed:
		t.Logf("Close took %v", d)
	case <-time.After(shutdownGrace + termGrace + pipeGrace + 5*time.Second):
		t.Fatal("Close still waits for the pipes the grandchild holds")
	}
	assertGone(t, pids(t, pidfile))
}

// The sweep after a plugin stops spares what this process started itself
// (in its own process group) and live plugins, whose exit status os/exec's
// Wait still gets; it ends and reaps a child in a group of its own that no
// one registered, as an orphan left by a plugin is.
func TestOrphanSweepSparesOwnChildren(t *testing.T) {
	own := exec.Command("sleep", "60")
	if err := own.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = own.Process.Kill() }()
	orphan := exec.Command("sleep", "60")
	orphan.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := orphan.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = orphan.Process.Kill(); _ = orphan.Wait() }()
	conn, _, err := launchFaulty(t, context.Background(), "serve", LaunchConfig{})
	if err != nil {
		t.Fatal(err)
	}

	sweepOrphans()

	if _, err := storecall.Load(context.Background(), conn.Store, shared.Settings{}); err != nil {
		t.Errorf("the live plugin did not survive the sweep: %v", err)
	}
	if err := syscall.Kill(own.Process.Pid, 0); err != nil {
		t.Errorf("the child in our own process group did not survive the sweep: %v", err)
	}
	// Swept and reaped: its pid no longer names a child of ours.
	if err := syscall.Kill(orphan.Process.Pid, 0); err != syscall.ESRCH {
		t.Errorf("the unregistered child in a session of its own is still there (kill 0: %v)", err)
	}
	// Our own child's exit status is still there for os/exec.
	_ = own.Process.Kill()
	if err := own.Wait(); err == nil || err.Error() != "signal: killed" {
		t.Errorf("Wait of our own child got %v, want signal: killed", err)
	}
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
}

// The walk of the kernel's children lists against the full /proc scan it
// replaced, at a plugin stop (the test process has a few children), and
// the orphan sweep.
func BenchmarkDescendants(b *testing.B) {
	self := syscall.Getpid()
	b.Run("children", func(b *testing.B) {
		for b.Loop() {
			descendants(self)
		}
	})
	b.Run("scan", func(b *testing.B) {
		for b.Loop() {
			descendantsByScan(self)
		}
	})
	b.Run("sweep", func(b *testing.B) { // twice per stop; no orphan here
		for b.Loop() {
			sweepOrphans()
		}
	})
}

// The children-list walk and the full /proc scan (its fallback where the
// kernel keeps no such lists) find the same processes.
func TestDescendantsWalkMatchesScan(t *testing.T) {
	conn, _, err := launchFaulty(t, context.Background(), "setsid", LaunchConfig{})
	if err != nil {
		t.Fatal(err)
	}
	pid := conn.proc.cmd.Process.Pid
	walk, scan := descendants(pid), descendantsByScan(pid)
	slices.Sort(walk)
	slices.Sort(scan)
	if len(walk) == 0 || !slices.Equal(walk, scan) {
		t.Errorf("walk %v, scan %v", walk, scan)
	}
	old := haveChildrenLists
	haveChildrenLists = func() bool { return false }
	defer func() { haveChildrenLists = old }()
	if got := ownChildren(); !slices.Contains(got, pid) {
		t.Errorf("without children lists, our children %v lack the plugin %d", got, pid)
	}
}
