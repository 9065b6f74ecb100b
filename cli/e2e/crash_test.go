//go:build linux

package e2e

import (
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ksm-cli/ksm/cli/internal/inifile"
	"github.com/ksm-cli/ksm/cli/internal/profiles"
	"github.com/ksm-cli/ksm/shared"
)

// crashSeed fixes the sequence of operations and kill points; set
// KSM_CRASH_SEED to replay a logged run.
const crashSeed = 20261128

// crashIterations is the run in `make test`; `make stress` runs 200.
const crashIterations = 30

// SIGKILL ksm at chosen and random points of a keeper.ini write: the file
// always parses, every profile is its old or its new version, nothing
// else changes, and the same command run again succeeds and leaves no
// temp file behind.
func TestCrashDuringWrites(t *testing.T) {
	runCrashes(t, crashIterations)
}

// A kill trigger: SIGKILL as soon as the writer reaches a point seen in
// the directory (inotify), or after a random delay.
type trigger struct {
	name  string
	match func(ev fsEvent) bool // nil: kill after a random delay
}

const (
	iniName  = "keeper.ini"
	lockName = iniName + ".lock"
	tmpPre   = "." + iniName + ".tmp-"
)

var triggers = []trigger{
	{"lock opened", func(ev fsEvent) bool { return ev.is(syscall.IN_OPEN) && ev.name == lockName }},
	{"temp created", func(ev fsEvent) bool { return ev.is(syscall.IN_CREATE) && strings.HasPrefix(ev.name, tmpPre) }},
	{"temp written", func(ev fsEvent) bool { return ev.is(syscall.IN_MODIFY) && strings.HasPrefix(ev.name, tmpPre) }},
	{"temp closed", func(ev fsEvent) bool { return ev.is(syscall.IN_CLOSE_WRITE) && strings.HasPrefix(ev.name, tmpPre) }},
	{"renamed", func(ev fsEvent) bool { return ev.is(syscall.IN_MOVED_TO) && ev.name == iniName }},
	// Never fires while writes are atomic; it catches a writer that
	// truncates keeper.ini in place.
	{"written in place", func(ev fsEvent) bool { return ev.is(syscall.IN_MODIFY) && ev.name == iniName }},
	{"random delay", nil},
	{"random delay", nil},
}

// crashOp is one ksm write: an import of a config version under a name,
// or a change of the active profile.
type crashOp struct {
	profile string
	version int // index into versions; -1 for `profile active`
}

func (op crashOp) args(ini string, versions []crashVersion) []string {
	if op.version < 0 {
		return []string{"--ini-file", ini, "profile", "active", op.profile}
	}
	return []string{"--ini-file", ini, "profile", "import", "-p", op.profile, "--force", versions[op.version].b64}
}

func (op crashOp) String() string {
	if op.version < 0 {
		return "profile active " + op.profile
	}
	return fmt.Sprintf("profile import -p %s --force <version %d>", op.profile, op.version)
}

// crashVersion is a config to import and the profile config it must give.
type crashVersion struct {
	b64  string
	want shared.Config
}

// crashVersions are four distinct configs: the two reference profiles,
// each also with a region code for a hostname.
func crashVersions(t testing.TB) []crashVersion {
	t.Helper()
	ref, err := inifile.Read("../../testdata/reference/two-profiles.ini")
	if err != nil {
		t.Fatal(err)
	}
	book := profiles.NewBook(ref)
	var out []crashVersion
	for _, name := range []string{"_default", "second"} {
		p, err := book.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, host := range []string{"", "AU"} {
			cfg := maps.Clone(p.Config)
			if host != "" {
				cfg[shared.KeyHostname] = host
			}
			b64 := base64.StdEncoding.EncodeToString(shared.MarshalConfig(cfg))
			imp, err := profiles.DecodeImport(b64)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, crashVersion{b64: b64, want: imp.Config})
		}
	}
	return out
}

// iniState is what a keeper.ini holds, read back with ksm's own reader.
type iniState struct {
	exists bool
	raw    []byte
	book   *profiles.Book
}

func readState(path string) (iniState, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return iniState{}, nil
	}
	if err != nil {
		return iniState{}, err
	}
	f, err := inifile.Parse(raw)
	if err != nil {
		return iniState{}, fmt.Errorf("keeper.ini does not parse: %w", err)
	}
	return iniState{exists: true, raw: raw, book: profiles.NewBook(f)}, nil
}

func (s iniState) active() string {
	if !s.exists {
		return ""
	}
	return s.book.Active()
}

// section is a copy of a section's keys and values; false for a missing one.
func (s iniState) section(name string) (map[string]string, bool) {
	if !s.exists || !s.book.File().HasSection(name) {
		return nil, false
	}
	return s.book.File().Section(name).KeysHash(), true
}

func (s iniState) sections() []string {
	if !s.exists {
		return nil
	}
	return s.book.File().SectionStrings()
}

// outcome compares after with before for op: "old" when op left no
// trace, "new" when it took full effect, or an error saying what is
// neither. A state halfway (the profile new but not yet active, say) is
// an error: one rename makes the whole change.
func outcome(before, after iniState, op crashOp, versions []crashVersion) (string, error) {
	// Every section but the target, and [_config] but active_profile, as before.
	for _, name := range append(before.sections(), after.sections()...) {
		if name == op.profile {
			continue
		}
		b, bok := before.section(name)
		a, aok := after.section(name)
		if name == inifile.ConfigSection {
			delete(b, "active_profile")
			delete(a, "active_profile")
			if !before.exists {
				continue // a new file starts with Keeper's [_config] block
			}
		}
		if bok != aok || !maps.Equal(a, b) {
			return "", fmt.Errorf("section [%s] changed", name)
		}
	}
	oldSec, oldOK := before.section(op.profile)
	newSec, newOK := after.section(op.profile)
	targetOld := oldOK == newOK && maps.Equal(oldSec, newSec)
	targetNew := targetOld
	if op.version >= 0 {
		targetNew = false
		if newOK {
			p, err := after.book.Get(op.profile)
			targetNew = err == nil && !p.External() && maps.Equal(p.Config, versions[op.version].want)
		}
	}
	wantActive := before.active()
	if op.version < 0 || wantActive == "" {
		wantActive = op.profile
	}
	switch {
	case targetOld && after.active() == before.active():
		// Unless op changes nothing (its rerun may still move the section
		// to the end), no trace means not a byte changed.
		noop := targetNew && wantActive == before.active()
		if before.exists && !noop && string(after.raw) != string(before.raw) {
			return "", errors.New("keeper.ini changed though no profile did")
		}
		return "old", nil
	case targetNew && after.active() == wantActive:
		return "new", nil
	case !targetOld && !targetNew:
		return "", fmt.Errorf("profile %s is neither its old nor its new version", op.profile)
	default:
		return "", fmt.Errorf("active_profile is %q: from %q, %s should give %q", after.active(), before.active(), op, wantActive)
	}
}

func runCrashes(t *testing.T, iterations int) {
	seed := uint64(crashSeed)
	if s := os.Getenv("KSM_CRASH_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("KSM_CRASH_SEED: %v", err)
		}
	}
	t.Logf("seed %d (replay with KSM_CRASH_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed))

	dir := t.TempDir()
	ini := filepath.Join(dir, iniName)
	versions := crashVersions(t)
	// Profiles ksm must keep as they are: the reference file, plus keys
	// and a section it does not know.
	ref, err := os.ReadFile("../../testdata/reference/two-profiles.ini")
	if err != nil {
		t.Fatal(err)
	}
	start := strings.Replace(string(ref), "editor_process_name\n", "editor_process_name\ncustom_setting = keep me\n", 1) +
		"[aws]\nstorage = aws\nprovider = profile\nprofile = default\nsecret = ksm-config\nfallback = true\n\n"
	if err := os.WriteFile(ini, []byte(start), 0o600); err != nil {
		t.Fatal(err)
	}
	w := watchDir(t, dir)

	// Calibrate the random delays on this machine: up to the time a whole
	// write takes, so that they land anywhere in it.
	probe := filepath.Join(t.TempDir(), iniName)
	began := time.Now()
	for range 3 {
		if out, err := ksm("--ini-file", probe, "profile", "import", "-p", "x", "--force", versions[0].b64).CombinedOutput(); err != nil {
			t.Fatalf("probe write: %v: %s", err, out)
		}
	}
	span := time.Since(began) / 3
	t.Logf("a write takes about %v here; random kills land within that", span.Round(time.Millisecond))

	counts := map[string]int{}
	var points []string
	for i := range iterations {
		op := crashOp{profile: fmt.Sprintf("p%d", rng.IntN(6)), version: rng.IntN(len(versions))}
		before, err := readState(ini)
		if err != nil {
			t.Fatalf("iteration %d: %v", i, err)
		}
		if rng.IntN(3) == 0 && before.book.Has(op.profile) {
			op.version = -1
		}
		tr := triggers[i%len(triggers)]
		delay := time.Duration(rng.Int64N(int64(span) + 1))

		killed, err := runAndKill(w, ksm(op.args(ini, versions)...), tr, delay)
		if err != nil {
			t.Fatalf("iteration %d (%s, kill at %s): %v", i, op, tr.name, err)
		}
		after, err := readState(ini)
		if err != nil {
			t.Fatalf("iteration %d (%s, killed at %s): %v", i, op, tr.name, err)
		}
		got, err := outcome(before, after, op, versions)
		if err != nil {
			t.Fatalf("iteration %d (%s, killed at %s): %v\nbefore:\n%s\nafter:\n%s", i, op, tr.name, err, redact(before.raw), redact(after.raw))
		}
		temps := tempFiles(t, dir)
		what := "exited"
		if killed {
			what = "killed, " + got
			if temps > 0 {
				what += ", temp left"
			}
		}
		counts[what]++
		points = append(points, fmt.Sprintf("%d:%s:%s", i, tr.name, what))

		// The same command again succeeds, whatever the kill left, and
		// leaves the new version and no temp file.
		mid := after
		if out, err := ksm(op.args(ini, versions)...).CombinedOutput(); err != nil {
			t.Fatalf("iteration %d: %s after the kill at %s failed: %v: %s", i, op, tr.name, err, out)
		}
		w.sync(t)
		final, err := readState(ini)
		if err != nil {
			t.Fatalf("iteration %d: after the rerun: %v", i, err)
		}
		if _, err := outcome(mid, final, op, versions); err != nil || !isNew(final, op, versions) {
			t.Fatalf("iteration %d: the rerun of %s after the kill at %s did not give its result: %v", i, op, tr.name, err)
		}
		if n := tempFiles(t, dir); n > 0 {
			t.Fatalf("iteration %d: %d temp files left after a successful write", i, n)
		}
		for _, name := range []string{iniName, lockName} {
			if mode, err := permOf(filepath.Join(dir, name)); err != nil || mode != 0o600 {
				t.Fatalf("iteration %d: %s has mode %04o (%v), want 0600", i, name, mode, err)
			}
		}
	}
	t.Logf("%d writes: %v", iterations, counts)
	t.Logf("kill points: %s", strings.Join(points, " "))
}

// isNew reports whether s holds op's result.
func isNew(s iniState, op crashOp, versions []crashVersion) bool {
	if op.version < 0 {
		return s.active() == op.profile
	}
	p, err := s.book.Get(op.profile)
	return err == nil && maps.Equal(p.Config, versions[op.version].want)
}

// runAndKill starts cmd and SIGKILLs it when tr fires; it reports whether
// the kill came before the process ended by itself.
func runAndKill(w *dirWatch, cmd *exec.Cmd, tr trigger, delay time.Duration) (killed bool, err error) {
	w.drain()
	if err := cmd.Start(); err != nil {
		return false, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var timer <-chan time.Time
	if tr.match == nil {
		timer = time.After(delay)
	}
	deadline := time.After(30 * time.Second)
	kill := func() error {
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return err
		}
		return nil
	}
loop:
	for {
		select {
		case ev := <-w.events:
			if tr.match != nil && tr.match(ev) {
				if err := kill(); err != nil {
					return false, err
				}
				break loop
			}
		case <-timer:
			if err := kill(); err != nil {
				return false, err
			}
			break loop
		case err := <-done:
			return false, exitErr(cmd, err)
		case <-deadline:
			_ = cmd.Process.Kill()
			return false, errors.New("ksm did not finish within 30s")
		}
	}
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
				return true, nil
			}
		}
		return false, exitErr(cmd, err) // it had ended by itself
	case <-deadline:
		return false, errors.New("ksm did not die within 30s of SIGKILL")
	}
}

func exitErr(cmd *exec.Cmd, err error) error {
	if err != nil {
		return fmt.Errorf("ksm %s: %w", strings.Join(cmd.Args[1:4], " "), err)
	}
	return nil
}

func permOf(path string) (os.FileMode, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return st.Mode().Perm(), nil
}

func tempFiles(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tmpPre) {
			n++
		}
	}
	return n
}

// redact shows a keeper.ini with its key material cut short.
func redact(raw []byte) string {
	lines := strings.Split(string(raw), "\n")
	for i, l := range lines {
		if k, v, ok := strings.Cut(l, " = "); ok && len(v) > 12 {
			lines[i] = k + " = " + v[:6] + "…"
		}
	}
	return strings.Join(lines, "\n")
}

// dirWatch reports what happens in a directory (inotify), so a kill can
// land at a given point of a write without any hook in ksm.
type dirWatch struct {
	f      *os.File
	dir    string
	events chan fsEvent
	n      int
}

type fsEvent struct {
	mask uint32
	name string
}

func (e fsEvent) is(mask uint32) bool { return e.mask&mask != 0 }

func watchDir(t *testing.T, dir string) *dirWatch {
	t.Helper()
	fd, err := syscall.InotifyInit1(syscall.IN_NONBLOCK | syscall.IN_CLOEXEC)
	if err != nil {
		t.Fatalf("inotify: %v", err)
	}
	const mask = syscall.IN_OPEN | syscall.IN_CREATE | syscall.IN_MODIFY | syscall.IN_CLOSE_WRITE | syscall.IN_MOVED_TO
	if _, err := syscall.InotifyAddWatch(fd, dir, mask); err != nil {
		syscall.Close(fd)
		t.Fatalf("inotify: %v", err)
	}
	// A non-blocking fd goes through Go's poller, so Close ends Read.
	w := &dirWatch{f: os.NewFile(uintptr(fd), "inotify"), dir: dir, events: make(chan fsEvent, 4096)}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		buf := make([]byte, 64<<10)
		for {
			n, err := w.f.Read(buf)
			if err != nil {
				return
			}
			for off := 0; off+syscall.SizeofInotifyEvent <= n; {
				raw := buf[off : off+syscall.SizeofInotifyEvent]
				mask := uint32(raw[4]) | uint32(raw[5])<<8 | uint32(raw[6])<<16 | uint32(raw[7])<<24
				nameLen := int(uint32(raw[12]) | uint32(raw[13])<<8 | uint32(raw[14])<<16 | uint32(raw[15])<<24)
				name := strings.TrimRight(string(buf[off+syscall.SizeofInotifyEvent:off+syscall.SizeofInotifyEvent+nameLen]), "\x00")
				w.events <- fsEvent{mask: mask, name: name}
				off += syscall.SizeofInotifyEvent + nameLen
			}
		}
	}()
	t.Cleanup(func() {
		w.f.Close()
		<-stopped
	})
	return w
}

// drain drops the events seen so far.
func (w *dirWatch) drain() {
	for {
		select {
		case <-w.events:
		default:
			return
		}
	}
}

// sync waits until every event of what has happened so far has been
// read: it creates a marker file and reads up to its event.
func (w *dirWatch) sync(t *testing.T) {
	t.Helper()
	w.n++
	name := fmt.Sprintf("sync-%d", w.n)
	path := filepath.Join(w.dir, name)
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(path)
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-w.events:
			if ev.is(syscall.IN_CREATE) && ev.name == name {
				return
			}
		case <-deadline:
			t.Fatal("inotify: no event for the sync marker within 10s")
		}
	}
}
