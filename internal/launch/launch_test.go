//go:build unix

package launch

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	hclog "github.com/hashicorp/go-hclog"

	"github.com/ksm-cli/ksm/internal/storecall"
	"github.com/ksm-cli/ksm/shared"
)

// launchFaulty starts testdata/faulty in mode with a pid file; env is added
// to its environment.
func launchFaulty(t *testing.T, ctx context.Context, mode string, cfg LaunchConfig, env ...string) (*Conn, string, error) {
	t.Helper()
	pidfile := filepath.Join(t.TempDir(), "pids")
	cfg.Cmd = exec.Command(faultyBinary(t))
	cfg.Cmd.Env = append([]string{"KSM_TEST_MODE=" + mode, "KSM_TEST_PIDFILE=" + pidfile}, env...)
	conn, err := Launch(ctx, cfg)
	if conn != nil {
		t.Cleanup(func() { _ = conn.Close() })
	}
	return conn, pidfile, err
}

func TestLaunchServes(t *testing.T) {
	logger, logs := testLogger(hclog.Trace)
	conn, pidfile, err := launchFaulty(t, context.Background(), "serve", LaunchConfig{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	d, err := storecall.Describe(context.Background(), conn.Store)
	if err != nil || d.Name != "faulty" {
		t.Fatalf("describe: %+v %v", d, err)
	}
	cfg, err := storecall.Load(context.Background(), conn.Store, shared.Settings{"log": "hello from load"})
	if err != nil || cfg["clientId"] != "test-client" {
		t.Fatalf("load: %v %v", cfg, err)
	}
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
	if err := conn.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
	if _, err := os.Stat(conn.dir); !os.IsNotExist(err) {
		t.Errorf("socket directory %s still there after close (%v)", conn.dir, err)
	}
	assertGone(t, pids(t, pidfile))
	// The plugin's JSON log lines keep their level in the host's log.
	for _, want := range []string{"[WARN]  ksm-storage-faulty: hello from load", "[DEBUG] ksm-storage-faulty: plugin address:"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("host log lacks %q:\n%s", want, logs)
		}
	}
	_, err = storecall.Load(context.Background(), conn.Store, nil)
	if shared.CodeOf(err) != shared.CodeUnavailable {
		t.Errorf("call after close: %v %v", shared.CodeOf(err), err)
	}
}

func TestLaunchEnvironment(t *testing.T) {
	t.Setenv("KSM_TOKEN", "must-not-leak")
	logger, _ := testLogger(hclog.Debug)
	conn, _, err := launchFaulty(t, context.Background(), "serve", LaunchConfig{Logger: logger}, "KEEP_ME=yes")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, want string }{
		{"KSM_TOKEN", ""},
		{"KEEP_ME", "yes"},
		{shared.EnvLogLevel, "debug"},
		{"PLUGIN_UNIX_SOCKET_DIR", conn.dir + string(filepath.Separator)},
	}
	for _, tt := range tests {
		cfg, err := storecall.Load(context.Background(), conn.Store, shared.Settings{"env": tt.name})
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg["value"]; got != tt.want && !(strings.HasSuffix(tt.want, "/") && strings.HasPrefix(got, tt.want)) {
			t.Errorf("plugin sees %s=%q, want %q", tt.name, got, tt.want)
		}
	}
}

// A plugin starts in StartDir, not in the directory ksm runs from, which
// another user may be able to write (a ./python3 there, found through an
// empty PATH entry, would run as the user).
func TestPluginStartsInStartDir(t *testing.T) {
	t.Chdir(t.TempDir())
	conn, _, err := launchFaulty(t, context.Background(), "serve", LaunchConfig{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := storecall.Load(context.Background(), conn.Store, shared.Settings{"cwd": "1"})
	if err != nil {
		t.Fatal(err)
	}
	if want := StartDir(faultyBinary(t)); cfg["value"] != want {
		t.Errorf("plugin runs in %q, want %q", cfg["value"], want)
	}
}

func TestLaunchFaults(t *testing.T) {
	tests := []struct {
		mode    string
		timeout time.Duration
		code    shared.Code
		want    string
	}{
		{"exit", 5 * time.Second, shared.CodeUnavailable, "plugin ksm-storage-faulty exited during start-up (exit status 3); its log has the details"},
		{"garbage", 5 * time.Second, shared.CodeUnavailable, `plugin ksm-storage-faulty printed "hello from a confused plugin" instead of the plugin handshake`},
		{"hang", time.Second, shared.CodeDeadlineExceeded, "plugin ksm-storage-faulty did not complete the handshake within 1s"},
		{"version", 5 * time.Second, shared.CodeFailedPrecondition, "plugin ksm-storage-faulty speaks storage protocol version 99, this ksm speaks version 1"},
		{"tcp", 5 * time.Second, shared.CodeFailedPrecondition, "plugin ksm-storage-faulty listens on tcp 127.0.0.1:1 instead of a unix socket"},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			logger, logs := testLogger(hclog.Warn)
			start := time.Now()
			conn, pidfile, err := launchFaulty(t, context.Background(), tt.mode, LaunchConfig{StartTimeout: tt.timeout, Logger: logger})
			elapsed := time.Since(start)
			if conn != nil || err == nil {
				t.Fatalf("launch succeeded")
			}
			if shared.CodeOf(err) != tt.code || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("got %v %q\nwant %v %q", shared.CodeOf(err), err, tt.code, tt.want)
			}
			if elapsed > tt.timeout+2*time.Second {
				t.Errorf("took %v, start timeout %v", elapsed, tt.timeout)
			}
			if tt.code != shared.CodeDeadlineExceeded && elapsed >= tt.timeout {
				t.Errorf("took the whole start timeout (%v)", elapsed)
			}
			p := pids(t, pidfile)
			if len(p) != 1 {
				t.Fatalf("pids %v, want the plugin's", p)
			}
			assertGone(t, p)
			// The error says it all; go-plugin's account stays at debug level.
			if logs.String() != "" {
				t.Errorf("warnings beside the error:\n%s", logs)
			}
		})
	}
}

func TestLaunchCtxEndsStart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, pidfile, err := launchFaulty(t, ctx, "hang", LaunchConfig{StartTimeout: time.Minute})
	if shared.CodeOf(err) != shared.CodeDeadlineExceeded || err.Error() != "plugin ksm-storage-faulty did not start before the deadline" {
		t.Errorf("got %v %v", shared.CodeOf(err), err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	assertGone(t, pids(t, pidfile))

	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	_, _, err = launchFaulty(t, ctx, "serve", LaunchConfig{})
	if shared.CodeOf(err) != shared.CodeCanceled {
		t.Errorf("cancelled ctx: got %v %v", shared.CodeOf(err), err)
	}
}

func TestLaunchRefusesToStart(t *testing.T) {
	dir := t.TempDir()
	notExec := filepath.Join(dir, "ksm-storage-noexec")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  LaunchConfig
		code shared.Code
		want string
	}{
		{"missing binary", LaunchConfig{Cmd: &exec.Cmd{Path: filepath.Join(dir, "ksm-storage-none")}}, shared.CodeUnavailable,
			"cannot start plugin ksm-storage-none: fork/exec " + filepath.Join(dir, "ksm-storage-none") + ": no such file or directory"},
		{"not executable", LaunchConfig{Cmd: &exec.Cmd{Path: notExec}}, shared.CodeUnavailable,
			"cannot start plugin ksm-storage-noexec: fork/exec " + notExec + ": permission denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := Launch(context.Background(), tt.cfg)
			if conn != nil {
				_ = conn.Close()
				t.Fatal("launch succeeded")
			}
			if shared.CodeOf(err) != tt.code || err.Error() != tt.want {
				t.Errorf("got %v %q\nwant %v %q", shared.CodeOf(err), err, tt.code, tt.want)
			}
		})
	}
}

func TestLaunchConfigMisuse(t *testing.T) {
	tests := []struct {
		name string
		cmd  *exec.Cmd
		want string
	}{
		{"no command", nil, "launch: LaunchConfig.Cmd is nil"},
		{"relative path", &exec.Cmd{Path: "ksm-storage-x"}, `launch: plugin path "ksm-storage-x" is not absolute`},
		{"stdout taken", &exec.Cmd{Path: "/bin/true", Stdout: io.Discard}, "launch: LaunchConfig.Cmd must not set Stdout or Stderr"},
		{"dir chosen", &exec.Cmd{Path: "/bin/true", Dir: "."}, "launch: LaunchConfig.Cmd must not set Dir (Launch starts every plugin in StartDir)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Launch(context.Background(), LaunchConfig{Cmd: tt.cmd}); err == nil || err.Error() != tt.want {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}

func TestCallFaults(t *testing.T) {
	tests := []struct {
		name     string
		settings shared.Settings
		timeout  time.Duration
		code     shared.Code
		want     string
	}{
		{"store error", shared.Settings{"code": "not-found", "message": "no config at /x"}, time.Minute, shared.CodeNotFound, "no config at /x"},
		{"store unavailable", shared.Settings{"code": "unavailable", "message": "vault is down"}, time.Minute, shared.CodeUnavailable, "vault is down"},
		{"crash mid-call", shared.Settings{"crash": "1"}, time.Minute, shared.CodeUnavailable, "lost the connection to the plugin during load; it exited or crashed"},
		{"deadline honoured", shared.Settings{"block": "1"}, 200 * time.Millisecond, shared.CodeDeadlineExceeded, "the plugin did not answer load before the deadline"},
		{"deadline ignored by plugin", shared.Settings{"ignore-ctx": "1"}, 200 * time.Millisecond, shared.CodeDeadlineExceeded, "the plugin did not answer load before the deadline"},
		{"oversized answer", shared.Settings{"big": "5000000"}, time.Minute, shared.CodeInvalidArgument, "load: message exceeds the plugin protocol's 4 MiB limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logger, logs := testLogger(hclog.Warn)
			conn, _, err := launchFaulty(t, context.Background(), "serve", LaunchConfig{Logger: logger})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), tt.timeout)
			defer cancel()
			start := time.Now()
			_, err = storecall.Load(ctx, conn.Store, tt.settings)
			if shared.CodeOf(err) != tt.code || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("got %v %q\nwant %v %q", shared.CodeOf(err), err, tt.code, tt.want)
			}
			if d := time.Since(start); tt.timeout < time.Second && d > tt.timeout+2*time.Second {
				t.Errorf("returned after %v with a %v deadline", d, tt.timeout)
			}
			if err := conn.Close(); err != nil {
				t.Fatal(err)
			}
			if logs.String() != "" {
				t.Errorf("warnings beside the error:\n%s", logs)
			}
		})
	}
}

func TestLoadSeesDeadline(t *testing.T) {
	conn, _, err := launchFaulty(t, context.Background(), "serve", LaunchConfig{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg, err := storecall.Load(ctx, conn.Store, nil)
	if err != nil || cfg["hasDeadline"] != "true" {
		t.Errorf("plugin's ctx: %v %v", cfg, err)
	}
}

// chanWriter hands each write to a channel.
type chanWriter chan string

func (w chanWriter) Write(p []byte) (int, error) { w <- string(p); return len(p), nil }

func TestStrayStdout(t *testing.T) {
	out := make(chanWriter, 10)
	conn, _, err := launchFaulty(t, context.Background(), "serve", LaunchConfig{Stdout: out})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := storecall.Load(context.Background(), conn.Store, shared.Settings{"stdout": "stray output"}); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-out:
		if got != "stray output\n" {
			t.Errorf("got %q", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("stray stdout never reached LaunchConfig.Stdout")
	}
}

func BenchmarkRoundTrip(b *testing.B) {
	cmd := exec.Command(faultyBinary(b))
	conn, err := Launch(context.Background(), LaunchConfig{Cmd: cmd})
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	ctx := context.Background()
	settings := shared.Settings{"path": "/some/where"}
	for b.Loop() {
		if _, err := storecall.Load(ctx, conn.Store, settings); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLaunchDescribeClose(b *testing.B) {
	bin := faultyBinary(b)
	ctx := context.Background()
	for b.Loop() {
		conn, err := Launch(ctx, LaunchConfig{Cmd: exec.Command(bin)})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := storecall.Describe(ctx, conn.Store); err != nil {
			b.Fatal(err)
		}
		if err := conn.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
