//go:build unix

package keyringtest

import (
	"syscall"
	"testing"
)

// Freeze stops the Secret Service (SIGSTOP) until the test ends: it keeps
// its bus name, and calls to it are never answered, as when a keyring
// waits on an unlock prompt no one sees.
func (s *Session) Freeze(t testing.TB) {
	t.Helper()
	if s.keyring == nil {
		t.Fatal("keyringtest: Freeze needs a session from Start")
	}
	p := s.keyring.Process
	if err := p.Signal(syscall.SIGSTOP); err != nil {
		t.Fatalf("keyringtest: stop gnome-keyring-daemon: %v", err)
	}
	// Registered after startProcess's kill: cleanups run last first.
	t.Cleanup(func() { _ = p.Signal(syscall.SIGCONT) })
}
