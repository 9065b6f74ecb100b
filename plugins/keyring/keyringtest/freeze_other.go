//go:build !unix

package keyringtest

import (
	"testing"

	"github.com/ksm-cli/ksm/internal/testenv"
)

// Freeze needs SIGSTOP, which this platform lacks.
func (s *Session) Freeze(t testing.TB) {
	t.Helper()
	testenv.Skip(t, "not-unix", "keyringtest: Freeze needs SIGSTOP")
}
