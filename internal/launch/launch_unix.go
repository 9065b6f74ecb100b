//go:build unix

package launch

import (
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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
	setParentDeathSignal(cmd.SysProcAttr)
}

func killProcessGroup(pid int) { signalGroup(pid, syscall.SIGKILL) }

func termProcessGroup(pid int) { signalGroup(pid, syscall.SIGTERM) }

func signalGroup(pid int, sig syscall.Signal) {
	if err := syscall.Kill(-pid, sig); err != nil {
		_ = syscall.Kill(pid, sig)
	}
}

func processExists(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}

// ownedByUs: a stale socket directory is removed only if it is ours.
func ownedByUs(path string) bool {
	fi, err := os.Lstat(path)
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Geteuid() && fi.IsDir()
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

// privateDir: a directory (symlinks followed) owned by us that no one else
// may write: what we create in it stays as we made it.
func privateDir(path string) bool {
	fi, err := os.Stat(path)
	if err != nil || !fi.IsDir() {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Geteuid() && fi.Mode().Perm()&0o022 == 0
}

// ownTempBase makes (or finds) parent/ksm-UID, a 0700 directory of ours,
// and refuses one that is a symlink or that someone else made first.
func ownTempBase(parent string) (string, bool) {
	dir := filepath.Join(parent, "ksm-"+strconv.Itoa(os.Geteuid()))
	_ = os.Mkdir(dir, 0o700)
	fi, err := os.Lstat(dir)
	if err != nil || !fi.IsDir() {
		return "", false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || int(st.Uid) != os.Geteuid() || fi.Mode().Perm()&0o077 != 0 {
		return "", false
	}
	return dir, true
}
