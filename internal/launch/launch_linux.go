package launch

import (
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

// execVerified makes cmd run the open file f rather than whatever its path
// names by the time of exec: f becomes one of the child's descriptors and
// the child executes it through /proc/self/fd. It stays open in the plugin
// (not close-on-exec) so that an interpreter (#!) can open it too.
// Args[0] keeps the plugin's real path for its messages.
func execVerified(cmd *exec.Cmd, f *os.File) {
	if len(cmd.Args) == 0 {
		cmd.Args = []string{cmd.Path}
	}
	cmd.ExtraFiles = append(cmd.ExtraFiles, f)
	cmd.Path = "/proc/self/fd/" + strconv.Itoa(2+len(cmd.ExtraFiles))
}

// setParentDeathSignal: the kernel kills the plugin when ksm dies, even by
// SIGKILL, which no handler of ours can see.
func setParentDeathSignal(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGKILL
}
