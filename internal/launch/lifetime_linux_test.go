package launch

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ksm-cli/ksm/internal/storecall"
)

// The verified open file is what runs: replacing the path after it was
// opened (a new file renamed over it) does not change what is executed.
func TestExecRunsTheVerifiedFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ksm-storage-faulty")
	copyFile(t, faultyBinary(t), path)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	marker := filepath.Join(dir, "swapped-ran")
	evil := filepath.Join(dir, "evil")
	if err := os.WriteFile(evil, []byte("#!/bin/sh\ntouch "+marker+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(evil, path); err != nil {
		t.Fatal(err)
	}
	conn, err := Launch(context.Background(), LaunchConfig{Cmd: exec.Command(path), Exec: f, Name: "ksm-storage-faulty"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if d, err := storecall.Describe(context.Background(), conn.Store); err != nil || d.Name != "faulty" {
		t.Fatalf("describe: %+v %v", d, err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the file swapped in after verification ran")
	}
}

// An interpreted plugin (#!) started from its verified descriptor still
// finds itself: the descriptor stays open for the interpreter.
func TestExecVerifiedScript(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ksm-storage-script")
	out := filepath.Join(dir, "argv")
	script := "#!/bin/sh\necho \"$0\" > " + out + "\nexit 3\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = Launch(context.Background(), LaunchConfig{Cmd: exec.Command(path), Exec: f, Name: "ksm-storage-script"})
	if err == nil || !strings.Contains(err.Error(), "plugin ksm-storage-script exited during start-up (exit status 3)") {
		t.Fatalf("got %v, want the script's own exit named by its name", err)
	}
	got, _ := os.ReadFile(out)
	if !strings.HasPrefix(string(got), "/proc/self/fd/") {
		t.Errorf("script ran as %q, want it read through its descriptor", got)
	}
}

// A plugin without go-plugin's controller Shutdown is stopped with SIGTERM
// at once, not after the grace a Shutdown-capable plugin gets.
func TestCloseWithoutController(t *testing.T) {
	old := shutdownGrace
	shutdownGrace = time.Minute // were Close to wait for it, the test would show it
	defer func() { shutdownGrace = old }()
	conn, pidfile, err := launchFaulty(t, context.Background(), "noshutdown", LaunchConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := storecall.Describe(context.Background(), conn.Store); err != nil {
		t.Fatal(err)
	}
	pid := pids(t, pidfile)
	start := time.Now()
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("Close took %s: it waited for a Shutdown the plugin does not serve", d)
	}
	assertGone(t, pid)
	if got, _ := os.ReadFile(pidfile); !strings.Contains(string(got), "SIGTERM") {
		t.Errorf("the plugin was not sent SIGTERM (it was left to a timeout, then killed)")
	}
}

// A plugin of a Go SDK still stops by Shutdown, and its socket directory goes.
func TestCloseWithController(t *testing.T) {
	conn, pidfile, err := launchFaulty(t, context.Background(), "serve", LaunchConfig{})
	if err != nil {
		t.Fatal(err)
	}
	dir := conn.dir
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
	assertGone(t, pids(t, pidfile))
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("socket directory %s left: %v", dir, err)
	}
}

// KSM_LAUNCH_TEST_HOST makes the test binary a host that starts a plugin,
// prints its pid and socket directory, and waits to be killed.
func init() {
	if os.Getenv("KSM_LAUNCH_TEST_HOST") == "" {
		return
	}
	cmd := exec.Command(os.Getenv("KSM_LAUNCH_TEST_HOST"))
	conn, err := Launch(context.Background(), LaunchConfig{Cmd: cmd, SocketBaseDir: os.Getenv("KSM_LAUNCH_TEST_BASE")})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println(conn.proc.ID(), conn.dir)
	select {}
}

// A plugin never outlives its host: SIGKILL to the host (no handler runs)
// kills the plugin by its parent-death signal, and the next launch removes
// the socket directory the dead host left.
func TestPluginDiesWithHost(t *testing.T) {
	base := t.TempDir()
	host := exec.Command(os.Args[0], "-test.run=^$")
	host.Env = append(os.Environ(), "KSM_LAUNCH_TEST_HOST="+faultyBinary(t), "KSM_LAUNCH_TEST_BASE="+base)
	stdout, err := host.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := host.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	var pid int
	var dir string
	if _, serr := fmt.Sscan(line, &pid, &dir); err != nil || serr != nil {
		host.Process.Kill()
		t.Fatalf("host said %q: %v %v", line, err, serr)
	}
	_ = host.Process.Signal(syscall.SIGKILL)
	_ = host.Wait()
	assertGone(t, []int{pid})
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("the killed host's socket directory should still be there for this test: %v", err)
	}
	conn, err := Launch(context.Background(), LaunchConfig{Cmd: exec.Command(faultyBinary(t)), SocketBaseDir: base})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("stale socket directory %s of dead host left: %v", dir, err)
	}
	if !strings.HasPrefix(filepath.Base(conn.dir), "ksm-"+strconv.Itoa(os.Getpid())+"-") {
		t.Errorf("socket directory %s is not named by its ksm's pid", conn.dir)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o755); err != nil {
		t.Fatal(err)
	}
}
