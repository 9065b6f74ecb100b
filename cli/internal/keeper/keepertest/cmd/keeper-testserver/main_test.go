//go:build devtools

package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ksm-cli/ksm/cli/internal/keeper"
)

// TestMain lets the tests run this binary's main in a child process.
func TestMain(m *testing.M) {
	if os.Getenv("KEEPER_TESTSERVER_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func startServer(t *testing.T, args ...string) (*exec.Cmd, *os.File, banner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "KEEPER_TESTSERVER_RUN_MAIN=1")
	stdinR, stdinW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdin = stdinR
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stdinR.Close()
	t.Cleanup(func() {
		stdinW.Close()
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		lines <- line
	}()
	var b banner
	select {
	case line := <-lines:
		if err := json.Unmarshal([]byte(line), &b); err != nil {
			t.Fatalf("banner %q: %v", line, err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no banner")
	}
	return cmd, stdinW, b
}

func waitExit(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not exit")
	}
}

func TestServesUntilStdinCloses(t *testing.T) {
	cmd, stdin, b := startServer(t)
	pem, err := os.ReadFile(b.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	defer tr.CloseIdleConnections()
	c := &keeper.Client{HTTPClient: &http.Client{Transport: tr}}

	tok, err := keeper.ParseToken(b.Token)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := c.Bind(context.Background(), b.Host, tok)
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Fetch(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, r := range s.Records {
		got = append(got, r.UID+" "+r.Type+" "+r.Title+" "+r.FolderUID)
	}
	for _, r := range b.Records {
		want = append(want, r.UID+" "+r.Type+" "+r.Title+" "+r.Folder)
	}
	sort.Strings(got)
	sort.Strings(want)
	if len(want) != 3 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("records:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	stdin.Close()
	waitExit(t, cmd)
	if _, err := os.Stat(b.CAFile); !os.IsNotExist(err) {
		t.Errorf("temporary CA file left behind: %v", err)
	}
}

func TestStopsOnSIGTERM(t *testing.T) {
	dir := t.TempDir()
	cmd, _, b := startServer(t, "-no-stdin", "-dir", dir)
	if !strings.HasPrefix(b.CAFile, dir) {
		t.Errorf("ca_file %q not in -dir", b.CAFile)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitExit(t, cmd)
}
