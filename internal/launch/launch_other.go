//go:build !unix

package launch

import (
	"net"
	"os"
	"os/exec"

	"github.com/ksm-cli/ksm/shared"
)

func ownProcessGroup(*exec.Cmd) {}

func termProcessGroup(pid int) { killProcessGroup(pid) }

func processExists(pid int) bool {
	p, err := os.FindProcess(pid)
	if err == nil {
		p.Release()
	}
	return err == nil
}

func ownedByUs(string) bool { return false } // stale directories stay off unix

func killProcessGroup(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
	}
}

// checkAddr: without Unix sockets go-plugin listens on loopback TCP, which
// other local users can reach; accept only loopback.
func checkAddr(name string, addr net.Addr, _ string) error {
	if tcp, ok := addr.(*net.TCPAddr); ok && tcp.IP.IsLoopback() {
		return nil
	}
	return shared.Errorf(shared.CodeFailedPrecondition, "plugin %s listens on %s %s, not on loopback; refusing to connect", name, addr.Network(), addr.String())
}

// privateDir: not used off unix (no unix sockets); nothing qualifies.
func privateDir(string) bool { return false }

func ownTempBase(string) (string, bool) { return "", false }
