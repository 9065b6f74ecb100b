//go:build devtools

package main

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// procSpec is one command line to run, whole process.
type procSpec struct {
	argv  []string // argv[0] absolute
	env   []string
	dir   string
	stdin string // a file fed to stdin; empty means /dev/null
}

// open opens a child's stdin and its stdout (also its stderr): output is
// discarded so that the bench measures the command, not a reader of it.
func (s *procSpec) open() (in, out *os.File, err error) {
	name := os.DevNull
	if s.stdin != "" {
		name = s.stdin
	}
	if in, err = os.Open(name); err != nil {
		return nil, nil, err
	}
	if out, err = os.OpenFile(os.DevNull, os.O_WRONLY, 0); err != nil {
		in.Close()
		return nil, nil, err
	}
	return in, out, nil
}

// row is one line of the table: a command (or an in-process call) run
// many times.
type row struct {
	key   string // stable id in the JSON
	label string
	floor bool
	// base is the key of the floor this row is compared with.
	base string

	proc *procSpec
	fn   func() error // in-process measurement instead of proc
	// before prepares each run (untimed), e.g. removes the trust file.
	before func() error
	// want is a regexp the output must match (checked once).
	want string
	// peak asks for per-process peak RSS (ptrace; not timed).
	peak bool
	// plugin is the plugin the row's command runs, measured apart (see
	// pluginPeak).
	plugin *pluginSpec
	// build is the ksm build a ksm row runs (nil for a floor).
	build *build
	// once: a command of seconds, timed by check alone (one sample, no
	// rounds, no peaks) so that it does not multiply the bench's length.
	once bool
	// exit is the exit status the command must end with.
	exit int

	wall  []time.Duration
	cpu   []time.Duration // user+sys of the process and what it reaped
	peaks map[string]int64
}

// check runs the row once with its output captured and verifies it.
func (r *row) check() error {
	if r.before != nil {
		if err := r.before(); err != nil {
			return fmt.Errorf("%s: prepare: %w", r.label, err)
		}
	}
	if r.fn != nil {
		if err := r.fn(); err != nil {
			return fmt.Errorf("%s: %w", r.label, err)
		}
		return nil
	}
	cmd := r.command()
	in, null, err := r.proc.open()
	if err != nil {
		return err
	}
	defer in.Close()
	defer null.Close()
	var out bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = in, &out, &out
	start := time.Now()
	err = cmd.Run()
	d := time.Since(start)
	if code := cmd.ProcessState.ExitCode(); code != r.exit || (r.exit == 0 && err != nil) {
		return fmt.Errorf("%s: %s: %v, want exit status %d\n%s", r.label, strings.Join(r.proc.argv, " "), err, r.exit, out.String())
	}
	if r.once {
		r.wall = append(r.wall, d)
		r.cpu = append(r.cpu, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
	}
	if r.want != "" && !regexp.MustCompile(r.want).Match(out.Bytes()) {
		return fmt.Errorf("%s: output does not match %q:\n%s", r.label, r.want, out.String())
	}
	return nil
}

func (r *row) command() *exec.Cmd {
	cmd := exec.Command(r.proc.argv[0], r.proc.argv[1:]...)
	cmd.Env, cmd.Dir = r.proc.env, r.proc.dir
	return cmd
}

// runOnce times one run: from just before the fork to the reaping.
func (r *row) runOnce(record bool) error {
	if r.once {
		return nil // timed by check
	}
	if r.before != nil {
		if err := r.before(); err != nil {
			return fmt.Errorf("%s: prepare: %w", r.label, err)
		}
	}
	if r.fn != nil {
		start := time.Now()
		err := r.fn()
		d := time.Since(start)
		if err != nil {
			return fmt.Errorf("%s: %w", r.label, err)
		}
		if record {
			r.wall = append(r.wall, d)
		}
		return nil
	}
	cmd := r.command()
	in, out, err := r.proc.open()
	if err != nil {
		return err
	}
	defer in.Close()
	defer out.Close()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = in, out, out
	start := time.Now()
	err = cmd.Run()
	d := time.Since(start)
	if err != nil {
		return fmt.Errorf("%s: %s: %w (run it by hand to see why)", r.label, strings.Join(r.proc.argv, " "), err)
	}
	if !record {
		return nil
	}
	r.wall = append(r.wall, d)
	r.cpu = append(r.cpu, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
	return nil
}

// measurePeaks runs the row under the tracer a few times and keeps each
// executable's highest peak.
func (r *row) measurePeaks(times int) error {
	if !r.peak || r.proc == nil || r.once {
		return nil
	}
	r.peaks = map[string]int64{}
	for range times {
		if r.before != nil {
			if err := r.before(); err != nil {
				return err
			}
		}
		p, err := peaks(r.proc)
		if err != nil {
			return fmt.Errorf("%s: peak RSS: %w", r.label, err)
		}
		for k, v := range p {
			r.peaks[k] = max(r.peaks[k], v)
		}
		if pl := r.plugin; pl != nil {
			kib, err := pluginPeak(pl.exe, pl.env, pl.settings)
			if err != nil {
				return fmt.Errorf("%s: peak RSS of %s: %w", r.label, pl.exe, err)
			}
			name := filepath.Base(pl.exe)
			r.peaks[name] = max(r.peaks[name], kib)
		}
	}
	return nil
}

// pluginSpec is a plugin as ksm runs it for a profile.
type pluginSpec struct {
	exe      string
	env      []string // what ksm passes: its base variables and the declared ones
	settings map[string]string
}

// quantile is the nearest-rank quantile (q in (0,1]); the median of an
// even count is the mean of the middle two.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if q == 0.5 && len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(i, 0)]
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e4) / 100 }
