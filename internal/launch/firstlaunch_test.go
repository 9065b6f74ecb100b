//go:build unix

package launch

import (
	"context"
	"testing"
)

// The host's guard runs once, before the first plugin process exists, and
// no launch overtakes it.
func TestBeforeFirstLaunchRunsOnceFirst(t *testing.T) {
	t.Cleanup(func() { BeforeFirstLaunch(nil) })
	calls := 0
	live := 0
	BeforeFirstLaunch(func() {
		calls++
		live = 0
		liveConns(func() { live++ })
	})
	for range 2 {
		conn, _, err := launchFaulty(t, context.Background(), "serve", LaunchConfig{})
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.Close()
	}
	if calls != 1 {
		t.Errorf("the guard ran %d times, want once", calls)
	}
	if live != 0 {
		t.Errorf("%d plugins were running when the guard ran, want none", live)
	}
	// Without a guard set, launching does nothing more.
	if _, _, err := launchFaulty(t, context.Background(), "serve", LaunchConfig{}); err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Errorf("the guard ran again")
	}
}

// liveConns calls f for each plugin this process has running.
func liveConns(f func()) {
	live.Range(func(any, any) bool { f(); return true })
}
