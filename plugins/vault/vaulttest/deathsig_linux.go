package vaulttest

import (
	"os/exec"
	"syscall"
)

// setDeathSignal kills the server if the test process dies without
// stopping it (a panic, a timeout's SIGQUIT): no stray Vault is left.
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
