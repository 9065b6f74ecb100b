//go:build unix && !linux

package launch

import "syscall"

// setParentDeathSignal: no such signal here; sdk.Serve exits when its
// parent is gone instead.
func setParentDeathSignal(*syscall.SysProcAttr) {}
