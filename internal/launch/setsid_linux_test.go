package launch

import (
	"context"
	"testing"
	"time"
)

// A descendant that left the plugin's process group (setsid) is ended with
// the plugin, and, holding its stdout and stderr, never makes Close hang
// nor wait.
func TestCloseDoesNotWaitForEscapedChildPipes(t *testing.T) {
	conn, pidfile, err := launchFaulty(t, context.Background(), "setsid", LaunchConfig{})
	if err != nil {
		t.Fatal(err)
	}
	closed := make(chan time.Duration)
	go func() { start := time.Now(); _ = conn.Close(); closed <- time.Since(start) }()
	select {
	case d := <-closed:
		// The plugin exits at once when asked: its exit is seen without
		// waiting for the pipes the child holds (the whole shutdownGrace).
		if d >= shutdownGrace {
			t.Errorf("Close took %v: it waited for the pipes an escaped child holds", d)
		}
	case <-time.After(shutdownGrace + termGrace + pipeGrace + 5*time.Second):
		t.Error("Close still waits for the pipes an escaped child holds")
	}
	// The escaped child is ended with the plugin.
	assertGone(t, pids(t, pidfile))
}
