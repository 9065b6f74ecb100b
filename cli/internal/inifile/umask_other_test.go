//go:build !unix

package inifile

import (
	"testing"

	"github.com/ksm-cli/ksm/internal/testenv"
)

func umask0(t *testing.T) {
	testenv.Skip(t, "not-unix", "no umask on this OS: file modes are unix rules")
}
