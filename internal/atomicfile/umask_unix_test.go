//go:build unix

package atomicfile

import (
	"syscall"
	"testing"
)

// umask0 clears the umask for the test, as a careless caller might.
func umask0(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
}
