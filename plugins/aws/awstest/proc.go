// Package awstest runs real AWS emulators for tests: moto's server for
// Secrets Manager and amazon-ec2-metadata-mock for IMDSv2, and builds
// isolated AWS environments for the code under test. The CLI's end-to-end
// tests import it too.
package awstest

import (
	"errors"
	"net/http"
	"os/exec"
	"testing"
	"time"

	"github.com/ksm-cli/ksm/internal/proctest"
)

// startTimeout bounds how long a server may take to answer; moto needs
// about 2 s here, more on a loaded CI machine.
const startTimeout = 30 * time.Second

// server is an emulator process started by a test.
type server struct {
	cmd    *exec.Cmd
	out    *proctest.Buffer
	exited chan struct{}
}

// startServer starts name with args built for a free loopback port, and
// waits until ready(base URL) is true. A port taken between choosing and
// binding makes the process exit; then it tries another, twice.
func startServer(t testing.TB, what string, env []string, ready func(base string) bool, name string, args func(port string) []string) string {
	t.Helper()
	var last string
	for try := 0; try < 3; try++ {
		port := freePort(t)
		base := "http://127.0.0.1:" + port
		s := &server{out: &proctest.Buffer{}, exited: make(chan struct{})}
		s.cmd = exec.Command(name, args(port)...)
		s.cmd.Env = env
		s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
		if err := s.cmd.Start(); err != nil {
			t.Fatalf("awstest: cannot start %s: %v", what, err)
		}
		go func() { _ = s.cmd.Wait(); close(s.exited) }()
		t.Cleanup(s.stop)
		switch s.waitReady(base, ready) {
		case nil:
			return base
		case errExited:
			last = s.out.String()
			continue
		default:
			t.Fatalf("awstest: %s did not answer at %s within %s; its output:\n%s", what, base, startTimeout, s.out.String())
		}
	}
	t.Fatalf("awstest: %s exited before answering, three times; its last output:\n%s", what, last)
	return ""
}

var errExited = errors.New("exited")

// waitReady polls until ready answers true, the process exits, or the
// deadline passes.
func (s *server) waitReady(base string, ready func(string) bool) error {
	deadline := time.NewTimer(startTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		if ready(base) {
			return nil
		}
		select {
		case <-s.exited:
			return errExited
		case <-deadline.C:
			return errors.New("timed out")
		case <-tick.C:
		}
	}
}

func (s *server) stop() {
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
}

// freePort asks the kernel for a free loopback port.
func freePort(t testing.TB) string {
	t.Helper()
	port, err := proctest.FreePort()
	if err != nil {
		t.Fatalf("awstest: %v", err)
	}
	return port
}

// ClosedEndpoint is an http URL on a loopback port where nothing listens,
// so connecting fails at once.
func ClosedEndpoint(t testing.TB) string {
	t.Helper()
	return "http://127.0.0.1:" + freePort(t)
}

// answers reports whether anything answers HTTP at url (any status).
func answers(method, url string) bool {
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		return false
	}
	c := http.Client{Timeout: time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return true
}
