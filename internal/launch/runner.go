package launch

import (
	"context"
	"errors"
	"io"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/go-plugin/runner"
)

// procRunner runs the plugin process for go-plugin. It exists (instead of
// go-plugin's internal runner) so that the plugin gets no stdin, runs in its
// own process group that Close can kill whole, can be killed when the
// launch ctx ends, and leaves its exit status for the start-up error.
type procRunner struct {
	cmd    *exec.Cmd
	stdout io.ReadCloser
	// handshake keeps the first line go-plugin reads from stdout.
	handshake *handshakeTap
	stderr    io.ReadCloser
	done      chan struct{} // closed once the process is reaped

	mu       sync.Mutex
	pid      int
	killed   bool // we asked it to stop
	startErr error
	state    string // how it ended, e.g. "exit status 3"; "" while running
	byItself bool   // it ended without our kill
}

var _ runner.Runner = (*procRunner)(nil)

func newProcRunner(cmd *exec.Cmd) (*procRunner, error) {
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	ownProcessGroup(cmd)
	tap := &handshakeTap{r: stdout}
	return &procRunner{cmd: cmd, stdout: tap, handshake: tap, stderr: stderr, done: make(chan struct{})}, nil
}

func (r *procRunner) Start(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.killed {
		return errors.New("launch cancelled")
	}
	plugins.Lock()
	defer plugins.Unlock()
	if err := r.cmd.Start(); err != nil {
		r.startErr = err
		return err
	}
	r.pid = r.cmd.Process.Pid
	plugins.pids[r.pid] = r
	return nil
}

// Wait is called once, by go-plugin, after the process's stdout and stderr
// are drained.
func (r *procRunner) Wait(context.Context) error {
	err := r.cmd.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	unregisterPlugin(r, r.pid)
	if ps := r.cmd.ProcessState; ps != nil {
		r.state = ps.String()
		r.byItself = ps.Exited() || !r.killed
	}
	close(r.done)
	return err
}

func (r *procRunner) Kill(context.Context) error {
	r.kill()
	return nil
}

// kill stops the plugin and everything it started; safe at any time.
func (r *procRunner) kill() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.killed = true
	if r.pid != 0 {
		killProcessGroup(r.pid)
	}
}

// terminate asks the plugin and everything it started to stop (SIGTERM).
func (r *procRunner) terminate() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pid != 0 {
		r.killed = true
		termProcessGroup(r.pid)
	}
}

// waitExit waits up to d for the process to exit; true if it did (or
// never started). Reaping comes later (go-plugin's Wait, once stdout and
// stderr are at their end): a descendant that holds them would otherwise
// make every stop wait the whole d, so the exit itself is also polled
// for (exited), which leaves the status to os/exec.
func (r *procRunner) waitExit(d time.Duration) bool {
	r.mu.Lock()
	pid := r.pid
	r.mu.Unlock()
	if pid == 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	poll := time.NewTicker(5 * time.Millisecond)
	defer poll.Stop()
	for {
		select {
		case <-r.done:
			return true
		case <-t.C:
			return false
		case <-poll.C:
			if exited(pid) {
				return true
			}
		}
	}
}

// pipeGrace is how long the plugin's stdout and stderr may stay open after
// it was killed: only a descendant that left its process group (setsid)
// still holds them then.
var pipeGrace = time.Second

// stopAndReap kills the process, if it started, and waits until it is
// reaped. go-plugin runs Wait for every process it started, once it has
// read stdout and stderr to their end; a descendant that escaped the kill
// and holds them would keep that end from coming, so past pipeGrace our
// ends are closed, which ends go-plugin's reads.
func (r *procRunner) stopAndReap() {
	r.mu.Lock()
	pid := r.pid
	r.mu.Unlock()
	r.kill()
	if pid == 0 {
		return
	}
	select {
	case <-r.done:
		return
	case <-time.After(pipeGrace):
	}
	_ = r.stdout.Close()
	_ = r.stderr.Close()
	<-r.done
}

// descendants lists what the plugin started, while it is still their
// ancestor (see stop).
func (r *procRunner) descendants() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pid == 0 {
		return nil
	}
	return descendants(r.pid)
}

// ended reports how the process ended by itself ("" if it did not).
func (r *procRunner) ended() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byItself {
		return r.state
	}
	return ""
}

func (r *procRunner) startError() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.startErr
}

func (r *procRunner) Stdout() io.ReadCloser { return r.stdout }
func (r *procRunner) Stderr() io.ReadCloser { return r.stderr }
func (r *procRunner) Name() string          { return r.cmd.Args[0] } // the real path, not /proc/self/fd/N
func (r *procRunner) Diagnose(context.Context) string {
	return ""
}

// ID is empty until the process starts: go-plugin's Kill skips a runner
// without an ID.
func (r *procRunner) ID() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pid == 0 {
		return ""
	}
	return strconv.Itoa(r.pid)
}

func (r *procRunner) PluginToHost(network, addr string) (string, string, error) {
	return network, addr, nil
}

func (r *procRunner) HostToPlugin(network, addr string) (string, string, error) {
	return network, addr, nil
}
