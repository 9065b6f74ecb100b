package testenv

import (
	"strings"
	"testing"
)

func TestMessage(t *testing.T) {
	if got := Message(t, "needs-root", "chown needs root"); got != "skip-reason: needs-root: chown needs root" {
		t.Errorf("Message = %q", got)
	}
}

// A reason id the census could not group fails the test instead of
// skipping it.
func TestBadID(t *testing.T) {
	for _, id := range []string{"", "Needs Root", "needs_root", "-x", strings.Repeat("a", 41)} {
		ft := &fakeT{TB: t}
		func() {
			defer func() { _ = recover() }()
			Message(ft, id, "why")
		}()
		if !ft.failed {
			t.Errorf("id %q accepted", id)
		}
	}
}

// fakeT records Fatalf instead of ending the test.
type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper() {}

func (f *fakeT) Fatalf(string, ...any) { f.failed = true; panic("fatal") }
