//go:build !unix

package keyringtest

import "testing"

// Freeze needs SIGSTOP, which this platform lacks.
func (s *Session) Freeze(t testing.TB) {
	t.Helper()
	t.Skip("keyringtest: Freeze needs a unix system")
}
