package vaulttest

import (
	"os"
	"strings"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// Without the binary, the message says how to get it.
func TestBinaryMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv("GOPATH", t.TempDir())
	_, err := Binary()
	if err == nil || !strings.Contains(err.Error(), "the vault binary is missing") || !strings.Contains(err.Error(), "make test-tools") {
		t.Fatalf("got %v", err)
	}
}

// The dev server starts, answers, unseals after a seal, and stops.
func TestServer(t *testing.T) {
	s := Start(t)
	if s.UnsealKey == "" {
		t.Errorf("no unseal key found in the dev server's output:\n%s", s.Output())
	}
	s.Put(t, "secret", "vaulttest/x", map[string]any{"a": "b"})
	if got := s.Get(t, "secret", "vaulttest/x"); got["a"] != "b" {
		t.Errorf("got %v", got)
	}
	if v := s.Version(t, "secret", "vaulttest/x"); v != 1 {
		t.Errorf("version %d", v)
	}
	s.Seal(t)
	s.Unseal(t)
	if got := s.Get(t, "secret", "vaulttest/x"); got["a"] != "b" {
		t.Errorf("after unseal: %v", got)
	}
	s.Stop()
	if s.answers() {
		t.Error("still answers after Stop")
	}
	if _, err := os.Stat(s.home); !os.IsNotExist(err) {
		t.Errorf("its HOME is left behind: %v", err)
	}
}
