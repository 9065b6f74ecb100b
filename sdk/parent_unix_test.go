//go:build unix

package sdk

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ksm-cli/ksm/shared"
)

// A plugin served by Serve exits once its parent is gone, even when the
// parent could not stop it (killed) and no parent-death signal was set:
// here its parent is a shell that starts it in the background and exits.
func TestServeExitsWithParent(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "ksm-storage-env")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = "examples/go" // a module of its own, as a third party's plugin is
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	sh := exec.Command("/bin/sh", "-c", `"$0" >/dev/null 2>&1 & echo $!; sleep 1`, bin)
	sh.Env = append(os.Environ(), shared.MagicCookieKey+"="+shared.MagicCookieValue,
		"PLUGIN_PROTOCOL_VERSIONS=1", "PLUGIN_UNIX_SOCKET_DIR="+t.TempDir())
	out, err := sh.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := sh.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	_ = sh.Wait()
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("pid %q: %v", line, err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := syscall.Kill(pid, 0)
		if errors.Is(err, syscall.ESRCH) || isZombie(pid) {
			return
		}
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatal("the plugin outlived its parent")
		}
		time.Sleep(50 * time.Millisecond) // polling the process table, with a deadline
	}
}

func isZombie(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(stat)
	return strings.HasPrefix(strings.TrimSpace(s[strings.LastIndex(s, ")")+1:]), "Z")
}
