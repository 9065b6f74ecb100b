//go:build !unix

package atomicfile

import "testing"

func umask0(t *testing.T) { t.Skip("no umask on this OS: file modes are unix rules") }
