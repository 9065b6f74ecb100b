// Package vaulttest runs a real HashiCorp Vault dev server for tests, on a
// free loopback port, with a temp HOME, and arranges what tests need in it
// (KV secrets, policies, AppRole, a KV v1 mount, short-lived tokens) over
// Vault's own HTTP API. The vault binary is built by `make test-tools`.
package vaulttest

import (
	"context"
	"errors"
	"fmt"
	"go/build"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ksm-cli/ksm/internal/proctest"
)

// RootToken is the dev server's root token.
const RootToken = "root"

// startTimeout bounds how long the server may take to answer (~0.5 s here).
const startTimeout = 60 * time.Second

// Server is a running Vault dev server.
type Server struct {
	// Addr is http://127.0.0.1:PORT, for VAULT_ADDR.
	Addr string
	// UnsealKey unseals it again after Seal.
	UnsealKey string

	cmd    *exec.Cmd
	home   string
	out    *proctest.Buffer
	exited chan struct{}
}

// Binary finds the vault executable: on PATH, else where `make test-tools`
// builds it ($GOPATH/bin/vault).
func Binary() (string, error) {
	if p, err := exec.LookPath("vault"); err == nil {
		return p, nil
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		gopath = build.Default.GOPATH
	}
	p := filepath.Join(strings.Split(gopath, string(os.PathListSeparator))[0], "bin", "vault")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("the vault binary is missing (not on PATH, not at %s): run `make test-tools`, which builds the Vault dev server there (about 13 minutes, once)", p)
	}
	return p, nil
}

// Start starts a dev server of the test's own (for tests that seal it or
// stop it); it is stopped when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := Launch()
	if err != nil {
		t.Fatalf("vaulttest: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}

var shared struct {
	once sync.Once
	srv  *Server
	err  error
}

// Shared is the package's dev server, started on first use and stopped by
// Main. Tests that use it must not seal it or stop it.
func Shared(t testing.TB) *Server {
	t.Helper()
	shared.once.Do(func() { shared.srv, shared.err = Launch() })
	if shared.err != nil {
		t.Fatalf("vaulttest: %v", shared.err)
	}
	return shared.srv
}

// Main is a test package's TestMain: it runs the tests, then stops the
// shared server if one was started.
//
//	func TestMain(m *testing.M) { os.Exit(vaulttest.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	if shared.srv != nil {
		shared.srv.Stop()
	}
	return code
}

var unsealKeyLine = regexp.MustCompile(`(?m)^Unseal Key: (\S+)`)

// Launch starts `vault server -dev` on a free port, outside a test (the
// bench); the caller stops it. A port taken between choosing and binding
// makes it exit, and then it tries another, twice.
func Launch() (*Server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	var last string
	for try := 0; try < 3; try++ {
		home, err := os.MkdirTemp("", "vaulttest-home-")
		if err != nil {
			return nil, err
		}
		port, err := proctest.FreePort()
		if err != nil {
			return nil, err
		}
		s := &Server{Addr: "http://127.0.0.1:" + port, home: home, out: &proctest.Buffer{}, exited: make(chan struct{})}
		s.cmd = exec.Command(bin, "server", "-dev", "-dev-root-token-id="+RootToken,
			"-dev-listen-address=127.0.0.1:"+port)
		// The dev server writes ~/.vault-token: HOME is its own.
		s.cmd.Env = append(withoutVault(os.Environ()), "HOME="+home, "VAULT_LOG_LEVEL=warn")
		s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
		setDeathSignal(s.cmd)
		if err := s.cmd.Start(); err != nil {
			os.RemoveAll(home)
			return nil, fmt.Errorf("cannot start %s: %v", bin, err)
		}
		go func() { _ = s.cmd.Wait(); close(s.exited) }()
		err = s.waitReady()
		if err == nil {
			s.UnsealKey = s.waitUnsealKey()
			return s, nil
		}
		s.Stop()
		if !errors.Is(err, errExited) {
			return nil, fmt.Errorf("vault did not answer at %s within %s; its output:\n%s", s.Addr, startTimeout, s.out.String())
		}
		last = s.out.String()
	}
	return nil, fmt.Errorf("vault exited before answering, three times; its last output:\n%s", last)
}

var errExited = errors.New("exited")

// waitReady polls /v1/sys/health until it answers (any status).
func (s *Server) waitReady() error {
	deadline := time.NewTimer(startTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		if s.answers() {
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

// waitUnsealKey reads the unseal key from the banner the dev server prints
// once it has unsealed itself, which may come just after it answers.
func (s *Server) waitUnsealKey() string {
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := unsealKeyLine.FindStringSubmatch(s.out.String()); m != nil {
			return m[1]
		}
		if time.Now().After(deadline) {
			return ""
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *Server) answers() bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.Addr+"/v1/sys/health", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return true
}

// Stop kills the server and removes its HOME; it may be called twice.
func (s *Server) Stop() {
	select {
	case <-s.exited:
	default:
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	os.RemoveAll(s.home)
}

// Output is what the server printed so far, for failure reports.
func (s *Server) Output() string { return s.out.String() }

func withoutVault(environ []string) []string {
	var out []string
	for _, kv := range environ {
		if !strings.HasPrefix(kv, "VAULT_") && !strings.HasPrefix(kv, "HOME=") {
			out = append(out, kv)
		}
	}
	return out
}

// ClosedAddr is an http address on a loopback port where nothing listens.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	port, err := proctest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return "http://127.0.0.1:" + port
}
