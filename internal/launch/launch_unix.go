//go:build unix

package launch

import (
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/ksm-cli/ksm/shared"
)

// ownProcessGroup puts the plugin in a process group of its own so that
// killing the group also ends whatever the plugin started.
func ownProcessGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
}

func killProcessGroup(pid int) {
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// checkAddr refuses a plugin that listens anywhere but on a Unix socket in
// its private directory: only there is it out of other local users' reach.
func checkAddr(name string, addr net.Addr, dir string) error {
	path := filepath.Clean(addr.String())
	if addr.Network() != "unix" || !strings.HasPrefix(path, dir+string(filepath.Separator)) {
		return shared.Errorf(shared.CodeFailedPrecondition,
			"plugin %s listens on %s %s instead of a unix socket in the private directory it was given (PLUGIN_UNIX_SOCKET_DIR); refusing to connect",
			name, addr.Network(), addr.String())
	}
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode().Type() != fs.ModeSocket {
		return shared.Errorf(shared.CodeFailedPrecondition, "plugin %s announced %s, which is not a unix socket; refusing to connect", name, path)
	}
	return nil
}
