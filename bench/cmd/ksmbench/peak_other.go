//go:build devtools && !linux

package main

import "errors"

// peaks needs ptrace and /proc (see peak_linux.go).
func peaks(*procSpec) (map[string]int64, error) {
	return nil, errors.New("per-process peak RSS is measured on Linux only")
}

func pluginPeak(string, []string, map[string]string) (int64, error) {
	return 0, errors.New("per-process peak RSS is measured on Linux only")
}
