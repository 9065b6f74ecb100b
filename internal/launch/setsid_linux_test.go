package launch

import (
	"context"
	"testing"
	"time"
)

// A descendant that left the plugin's process group (setsid) is ended with
// the plugin, and, holding its stdout and stderr, never makes Close hang.
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
	// The escaped child is ended with the plugin.
	assertGone(t, pids(t, pidfile))
}
