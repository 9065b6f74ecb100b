//go:build !unix

package inifile

import "testing"

func umask0(t *testing.T) { t.Skip("no umask on this OS: file modes are unix rules") }
