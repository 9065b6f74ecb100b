package conformance

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	hclog "github.com/hashicorp/go-hclog"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/ksm-cli/ksm/internal/launch"
	"github.com/ksm-cli/ksm/internal/scratch"
	"github.com/ksm-cli/ksm/internal/wire"
	"github.com/ksm-cli/ksm/shared"
)

// rawPlugin is the plugin started without go-plugin's client: the suite
// reads the handshake line itself, sees every byte written to stdout after
// it (go-plugin drops them), and times the plugin's exit.
type rawPlugin struct {
	cmd *exec.Cmd
	dir string
	// removeDir removes dir.
	removeDir func()
	conn      *grpc.ClientConn
	store     shared.Store

	fdOut     *sink  // file descriptor 1 after the handshake line
	stdioOut  *sink  // go-plugin's stdio stream, stdout channel
	stopStdio func() // ends the stdio stream
	stdioDone <-chan struct{}
	copied    chan struct{} // closed at stdout's EOF
	exited    chan struct{} // closed once reaped
}

// handshakeEnv is what ksm (through go-plugin) adds to a plugin's
// environment; docs/plugin-protocol.md lists it.
func handshakeEnv(socketDir string) []string {
	return []string{
		shared.MagicCookieKey + "=" + shared.MagicCookieValue,
		"PLUGIN_PROTOCOL_VERSIONS=" + fmt.Sprint(shared.ProtocolVersion),
		"PLUGIN_MIN_PORT=10000", "PLUGIN_MAX_PORT=25000",
		"PLUGIN_UNIX_SOCKET_DIR=" + socketDir,
		shared.EnvLogLevel + "=warn",
		// Python buffers stdout on a pipe and a plugin may leave with
		// os._exit: unbuffered, whatever it prints shows here.
		"PYTHONUNBUFFERED=1",
	}
}

// startRaw starts the plugin and reads its handshake line; a nil error
// means a conforming line and a connection to the socket it names.
func (s *Suite) startRaw(env []string) (*rawPlugin, error) {
	// Named after this process: removed on a stop signal, or by the next
	// ksm if this one is killed.
	dir, removeDir, err := scratch.MkdirTemp(shortTempDir(), "ksm-check-")
	if err != nil {
		return nil, err
	}
	p := &rawPlugin{dir: dir, removeDir: removeDir, fdOut: newSink(), stdioOut: newSink(), copied: make(chan struct{}), exited: make(chan struct{})}
	p.cmd = exec.Command(s.cfg.Binary)
	launch.ExecVerified(p.cmd, s.cfg.Exec)
	p.cmd.Env = append(launch.SafePath(env), handshakeEnv(dir)...)
	p.cmd.Dir = launch.StartDir(s.cfg.Binary)
	p.cmd.Stderr = s.cfg.Logger.Named(TypeOf(s.cfg.Binary)).StandardWriter(&hclog.StandardLoggerOptions{InferLevels: true})
	// Our own pipe, not StdoutPipe: Wait would close that before the last
	// bytes are read.
	stdout, w, err := os.Pipe()
	if err != nil {
		removeDir()
		return nil, err
	}
	p.cmd.Stdout = w
	err = p.cmd.Start()
	w.Close()
	if err != nil {
		stdout.Close()
		removeDir()
		return nil, fmt.Errorf("cannot start it: %v", err)
	}
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, err := r.ReadString('\n')
		if err != nil {
			line = "" // EOF before a whole line
		}
		lines <- line
		_, _ = io.Copy(p.fdOut, r)
		stdout.Close()
		close(p.copied)
	}()
	go func() { _ = p.cmd.Wait(); close(p.exited) }()

	var line string
	start, cancel := s.within(s.cfg.StartTimeout)
	defer cancel()
	select {
	case line = <-lines:
	case <-start.Done():
		p.kill()
		return nil, fmt.Errorf("no handshake line on stdout within %v: write it as one line ending in \\n and flush stdout", s.cfg.StartTimeout)
	}
	if line == "" {
		p.kill()
		return nil, fmt.Errorf("stdout ended before a whole handshake line (did the plugin exit? see its log)")
	}
	sock, err := parseHandshake(strings.TrimSuffix(line, "\n"), dir)
	if err != nil {
		p.kill()
		return nil, err
	}
	p.conn, err = grpc.NewClient("unix://"+sock, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		p.kill()
		return nil, fmt.Errorf("cannot connect to %s: %v", sock, err)
	}
	p.stopStdio, p.stdioDone = streamStdio(p.conn, p.stdioOut)
	raw, _ := (&wire.StoragePlugin{}).GRPCClient(context.Background(), nil, p.conn)
	p.store = withWorkingDir{raw.(shared.Store), s.workingDir()}
	return p, nil
}

// parseHandshake checks the line go-plugin's client reads:
// CORE-VERSION|APP-VERSION|NETWORK|ADDRESS|PROTOCOL|  (no certificate).
func parseHandshake(line, dir string) (socket string, err error) {
	parts := strings.Split(line, "|")
	if len(parts) < 5 {
		return "", fmt.Errorf("handshake line %q has %d fields separated by '|', want 1|%d|unix|<socket>|grpc|", cut(line), len(parts), shared.ProtocolVersion)
	}
	want := fmt.Sprint(shared.ProtocolVersion)
	switch {
	case strings.TrimSpace(parts[0]) != "1":
		return "", fmt.Errorf("handshake core version %q, want 1", parts[0])
	case parts[1] != want:
		return "", fmt.Errorf("handshake protocol version %q, want %s", parts[1], want)
	case parts[2] != "unix":
		return "", fmt.Errorf("handshake network %q: ksm accepts only a unix socket in PLUGIN_UNIX_SOCKET_DIR", parts[2])
	case filepath.Dir(filepath.Clean(parts[3])) != dir && !strings.HasPrefix(filepath.Clean(parts[3]), dir+string(filepath.Separator)):
		return "", fmt.Errorf("handshake socket %q is not inside PLUGIN_UNIX_SOCKET_DIR %s, the private directory ksm gives", parts[3], dir)
	case parts[4] != "grpc":
		return "", fmt.Errorf("handshake protocol %q, want grpc", parts[4])
	case len(parts) > 5 && parts[5] != "":
		return "", fmt.Errorf("handshake carries a TLS certificate; ksm uses none (leave the sixth field empty)")
	}
	return filepath.Clean(parts[3]), nil
}

// shutdown asks the plugin to stop as ksm does (go-plugin's controller) and
// reports whether it serves that call.
func (p *rawPlugin) shutdown(ctx context.Context) (served bool, err error) {
	err = p.conn.Invoke(ctx, "/plugin.GRPCController/Shutdown", &emptypb.Empty{}, &emptypb.Empty{})
	if status.Code(err) == codes.Unimplemented {
		return false, nil
	}
	return true, err
}

// waitExit waits up to d for the process to end.
func (p *rawPlugin) waitExit(d time.Duration) bool {
	select {
	case <-p.exited:
		return true
	case <-time.After(d):
		return false
	}
}

// stdoutAfterHandshake stops the plugin and returns what it wrote to
// stdout after the handshake, on its file descriptor 1 and through
// go-plugin's stdio stream. No sleep: a barrier. On Linux a marker is
// written behind the plugin's output first (markStdout); once it comes
// through, everything the plugin wrote before it has been read. Then the
// plugin is asked to stop and its output read to its end, for what it
// wrote later. Each wait is bounded by a deadline (a child of the plugin
// may hold stdout open).
func (p *rawPlugin) stdoutAfterHandshake() []byte {
	fd1, stream := markStdout(p.cmd.Process.Pid)
	deadline := time.After(2 * time.Second)
	for _, w := range []struct {
		marked bool
		ch     <-chan struct{}
	}{{fd1, p.fdOut.marked}, {stream, p.stdioOut.marked}} {
		if w.marked {
			select {
			case <-w.ch:
			case <-deadline:
			}
		}
	}
	// Asked to stop, a plugin flushes its buffers (Python's stdout is
	// block-buffered on a pipe); killed, it would lose them.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	if served, err := p.shutdown(ctx); served && err == nil {
		p.waitExit(exitAfterShutdown)
	}
	cancel()
	// Its exit ends both streams; read them to their end before closing
	// our side.
	_ = p.cmd.Process.Kill() // if it did not stop when asked
	<-p.exited
	end := time.After(2 * time.Second)
	for _, ch := range []<-chan struct{}{p.copied, p.stdioDone} {
		select {
		case <-ch:
		case <-end: // a child of the plugin holds stdout open
		}
	}
	p.kill()
	return append(p.fdOut.bytes(), p.stdioOut.bytes()...)
}

func (p *rawPlugin) kill() {
	if p.stopStdio != nil {
		p.stopStdio()
	}
	if p.conn != nil {
		_ = p.conn.Close()
	}
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
	p.removeDir()
}

// shortTempDir keeps socket paths under the ~100 byte limit.
func shortTempDir() string {
	if d := os.TempDir(); len(d) <= 40 {
		return d
	}
	return "/tmp"
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func cut(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}
