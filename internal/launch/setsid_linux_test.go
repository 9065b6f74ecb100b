package launch

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// A descendant that left the plugin's process group (setsid) and holds its
// stdout and stderr never makes Close hang: ksm stops waiting for those
// pipes once the plugin itself is killed.
func TestCloseDoesNotWaitForEscapedChildPipes(t *testing.T) {
	conn, pidfile, err := launchFaulty(t, context.Background(), "setsid", LaunchConfig{})
	if err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() { _ = conn.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(shutdownGrace + termGrace + pipeGrace + 5*time.Second):
		t.Error("Close still waits for the pipes an escaped child holds")
	}
	for _, pid := range pids(t, pidfile)[1:] {
		_ = syscall.Kill(pid, syscall.SIGKILL) // the escaped child (no subreaper yet)
	}
}
