// Package keyringtest runs a real OS keyring for tests: a private D-Bus
// session bus and GNOME Keyring's Secret Service on it, unlocked, with
// every file under a temp HOME; and Python's keyring library (as Keeper's
// CLI uses it) against that session. The CLI's end-to-end tests import it
// too.
package keyringtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/ksm-cli/ksm/internal/proctest"
)

// startTimeout bounds how long the bus and the keyring may take to come up.
const startTimeout = 20 * time.Second

// Password unlocks the test keyring.
const Password = "keyringtest-password"

// Session is a private D-Bus session, with or without a Secret Service.
type Session struct {
	// Env is what a process needs to use this session: HOME, XDG_*,
	// DBUS_SESSION_BUS_ADDRESS. Nothing of the caller's is in it.
	Env []string
	// Address is DBUS_SESSION_BUS_ADDRESS.
	Address string
	// Home is the session's HOME; the keyring files live under it.
	Home string

	keyring *exec.Cmd // the Secret Service, when started
}

// busConfig is a session bus that starts nothing on demand: without
// service activation, a Secret Service exists only if a test starts one,
// and nothing reads the machine's own service files.
const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// Start runs a private bus with an unlocked GNOME Keyring on it; both stop
// when the test ends.
func Start(t testing.TB) *Session {
	t.Helper()
	s := StartBus(t)
	s.startKeyring(t)
	return s
}

// StartBus runs a private D-Bus session without a Secret Service.
func StartBus(t testing.TB) *Session {
	t.Helper()
	require(t, "dbus-daemon", "dbus-daemon")
	// A unix socket path is limited to about 104 bytes: keep it short.
	dir, err := os.MkdirTemp("", "krt-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	home := filepath.Join(dir, "home")
	runtime := filepath.Join(dir, "run")
	for _, d := range []string{home, runtime} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	socket := filepath.Join(runtime, "bus")
	conf := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(busConfig, socket)), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &Session{Address: "unix:path=" + socket, Home: home}
	s.Env = []string{
		"HOME=" + home,
		"XDG_RUNTIME_DIR=" + runtime,
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"DBUS_SESSION_BUS_ADDRESS=" + s.Address,
		"PATH=" + os.Getenv("PATH"),
	}
	cmd := exec.Command("dbus-daemon", "--nofork", "--nopidfile", "--config-file="+conf)
	cmd.Env = s.Env
	startProcess(t, "dbus-daemon", cmd)
	s.waitFor(t, "dbus-daemon", func(c *dbus.Conn) bool { return true })
	return s
}

func (s *Session) startKeyring(t testing.TB) {
	t.Helper()
	require(t, "gnome-keyring-daemon", "gnome-keyring")
	control := filepath.Join(s.Home, ".gk")
	if err := os.MkdirAll(control, 0o700); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets", "--control-directory="+control)
	cmd.Env = s.Env
	cmd.Stdin = strings.NewReader(Password)
	startProcess(t, "gnome-keyring-daemon", cmd)
	s.keyring = cmd
	// Ready when the login keyring, unlocked with the password, is the
	// default collection.
	s.waitFor(t, "gnome-keyring-daemon", func(c *dbus.Conn) bool {
		var path dbus.ObjectPath
		err := c.Object("org.freedesktop.secrets", "/org/freedesktop/secrets").
			Call("org.freedesktop.Secret.Service.ReadAlias", 0, "default").Store(&path)
		return err == nil && path != "/"
	})
}

// Conn connects to the session bus (closed when the test ends).
func (s *Session) Conn(t testing.TB) *dbus.Conn {
	t.Helper()
	c, err := connect(s.Address)
	if err != nil {
		t.Fatalf("keyringtest: connect to the test bus: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func connect(address string) (*dbus.Conn, error) {
	c, err := dbus.Connect(address)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// waitFor polls the bus until ready answers true.
func (s *Session) waitFor(t testing.TB, what string, ready func(*dbus.Conn) bool) {
	t.Helper()
	deadline := time.Now().Add(startTimeout)
	var last error
	for time.Now().Before(deadline) {
		c, err := connect(s.Address)
		if err == nil {
			ok := ready(c)
			c.Close()
			if ok {
				return
			}
		}
		last = err
		time.Sleep(20 * time.Millisecond) // polling the service until it answers, with a deadline
	}
	t.Fatalf("keyringtest: %s not ready within %s (last error: %v)", what, startTimeout, last)
}

// Lock locks the default collection, as a screen lock or a timeout does.
func (s *Session) Lock(t testing.TB) {
	t.Helper()
	c := s.Conn(t)
	svc := c.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	var path dbus.ObjectPath
	if err := svc.Call("org.freedesktop.Secret.Service.ReadAlias", 0, "default").Store(&path); err != nil {
		t.Fatalf("keyringtest: find the default collection: %v", err)
	}
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	if err := svc.Call("org.freedesktop.Secret.Service.Lock", 0, []dbus.ObjectPath{path}).Store(&locked, &prompt); err != nil {
		t.Fatalf("keyringtest: lock %s: %v", path, err)
	}
	if len(locked) != 1 {
		t.Fatalf("keyringtest: lock %s: locked %v, prompt %v", path, locked, prompt)
	}
}

// require fails the test, naming the package, when a program is missing.
func require(t testing.TB, program, debianPackage string) {
	t.Helper()
	if _, err := exec.LookPath(program); err != nil {
		t.Fatalf("keyringtest: %s is missing; install it with `apt-get install %s` (or run `make test-tools`)", program, debianPackage)
	}
}

// startProcess starts cmd and stops it when the test ends; its output is
// shown if the test fails.
func startProcess(t testing.TB, what string, cmd *exec.Cmd) {
	t.Helper()
	out := &proctest.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("keyringtest: start %s: %v", what, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		select {
		case <-exited:
		default:
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() && out.Len() > 0 {
			t.Logf("keyringtest: %s output:\n%s", what, out.String())
		}
	})
}
