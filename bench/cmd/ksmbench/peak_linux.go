//go:build devtools && linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/ksm-cli/ksm/internal/launch"
	"github.com/ksm-cli/ksm/internal/storecall"
)

// ptraceExitKill makes the kernel kill the traced processes if the bench
// dies, so a failed measurement leaves none behind.
const ptraceExitKill = 0x100000

// peaks runs spec once under ptrace and returns the peak resident set
// (VmHWM, KiB) of each process it and its children ran, keyed by
// executable name. wait4's ru_maxrss is no use here: it includes the
// children a process reaped (ksm's, its plugin), and a child started by Go
// (clone with CLONE_VM|CLONE_VFORK) is charged its parent's resident set
// from before its exec (a /bin/true started by a 50 MiB Go process reports
// 53 MiB). So each process is stopped at
// PTRACE_EVENT_EXIT, when it is exiting but its memory is still mapped,
// and its /proc/<pid>/status is read then. Only thread-group leaders are
// traced (no PTRACE_O_TRACECLONE), which is enough: VmHWM belongs to the
// address space, not the thread. A process killed with SIGKILL may skip
// that stop (the kernel does not stop a tracee with SIGKILL pending), as
// a plugin does when ksm has to kill it: plugins are also measured by
// pluginPeak.
func peaks(spec *procSpec) (map[string]int64, error) {
	// Every ptrace request must come from the thread that started the trace.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	in, null, err := spec.open()
	if err != nil {
		return nil, err
	}
	defer in.Close()
	defer null.Close()
	root, err := syscall.ForkExec(spec.argv[0], spec.argv, &syscall.ProcAttr{
		Dir:   spec.dir,
		Env:   spec.env,
		Files: []uintptr{in.Fd(), null.Fd(), null.Fd()},
		Sys:   &syscall.SysProcAttr{Ptrace: true},
	})
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", spec.argv[0], err)
	}
	var ws syscall.WaitStatus
	// The child stops with SIGTRAP once its execve is done.
	if _, err := syscall.Wait4(root, &ws, syscall.WALL, nil); err != nil {
		return nil, fmt.Errorf("wait for %s to start: %w", spec.argv[0], err)
	}
	opts := syscall.PTRACE_O_TRACEFORK | syscall.PTRACE_O_TRACEVFORK |
		syscall.PTRACE_O_TRACEEXEC | syscall.PTRACE_O_TRACEEXIT | ptraceExitKill
	if err := syscall.PtraceSetOptions(root, opts); err != nil {
		_ = syscall.Kill(root, syscall.SIGKILL)
		return nil, fmt.Errorf("ptrace %s: %w", spec.argv[0], err)
	}
	_ = syscall.PtraceCont(root, 0)

	out := map[string]int64{}
	seen := map[int]bool{root: true}
	live := 1
	rootStatus := -1
	for live > 0 {
		pid, err := syscall.Wait4(-1, &ws, syscall.WALL, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("wait: %w", err)
		}
		if !seen[pid] {
			// A child auto-attached by a fork event: its first stop.
			seen[pid] = true
			live++
		}
		switch {
		case ws.Exited() || ws.Signaled():
			live--
			if pid == root {
				rootStatus = ws.ExitStatus()
			}
			continue
		case !ws.Stopped():
			continue
		}
		inject := 0
		switch sig := ws.StopSignal(); {
		case sig == syscall.SIGTRAP && ws.TrapCause() == syscall.PTRACE_EVENT_EXIT:
			if name, hwm, err := readPeak(pid); err == nil && hwm > out[name] {
				out[name] = hwm
			}
		case sig == syscall.SIGTRAP && ws.TrapCause() > 0:
			// fork, vfork or exec event: nothing to do
		case sig == syscall.SIGSTOP:
			// the attach stop of a new child (nothing else sends SIGSTOP)
		default:
			inject = int(sig) // a real signal: deliver it
		}
		_ = syscall.PtraceCont(pid, inject)
	}
	if rootStatus != 0 {
		return out, fmt.Errorf("%s exited with status %d under the tracer", spec.argv[0], rootStatus)
	}
	return out, nil
}

// readPeak returns a process's executable name and VmHWM in KiB.
func readPeak(pid int) (string, int64, error) {
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		return "", 0, err
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "", 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		if v, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmHWM:")); ok {
			f := bytes.Fields(v) // "12345 kB"
			if len(f) == 0 {
				break
			}
			kib, err := strconv.ParseInt(string(f[0]), 10, 64)
			return filepath.Base(exe), kib, err
		}
	}
	return "", 0, fmt.Errorf("no VmHWM for process %d", pid)
}

// pluginPeak is the peak RSS (KiB) of a plugin serving one profile: the
// bench starts it the way ksm does (launch.Launch, ksm's reduced
// environment), makes the calls ksm makes (Describe on first use, Load),
// and reads VmHWM from /proc/<pid>/status after the calls, while the
// plugin still runs, then stops it.
func pluginPeak(exe string, env []string, settings map[string]string) (int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.Command(exe)
	cmd.Env = env
	conn, err := launch.Launch(ctx, launch.LaunchConfig{Cmd: cmd})
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	if _, err := storecall.Describe(ctx, conn.Store); err != nil {
		return 0, err
	}
	if _, err := storecall.Load(ctx, conn.Store, settings); err != nil {
		return 0, err
	}
	_, hwm, err := readPeak(cmd.Process.Pid)
	return hwm, err
}
