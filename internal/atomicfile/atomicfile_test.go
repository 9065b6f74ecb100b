package atomicfile

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A writer killed between creating and renaming its temp file leaves the
// temp file behind, with a copy of the secrets in it; the next Update
// removes it, and only it.
func TestUpdateRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keeper.ini")
	if err := os.WriteFile(path, []byte("old"), Mode); err != nil {
		t.Fatal(err)
	}
	stale := []string{".keeper.ini.tmp-123", ".keeper.ini.tmp-4294967295"}
	kept := []string{
		".keeper.ini.tmp-", // no digits: not a name CreateTemp makes
		".keeper.ini.tmp-12x",
		".keeper.ini.tmp-12.bak",
		".other.ini.tmp-123", // another file's temp
		"keeper.ini.tmp-123", // not hidden: not ours
		"keeper.ini.lock",
	}
	for _, name := range append(slices.Clone(stale), kept...) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), Mode); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, ".keeper.ini.tmp-99"), 0o700); err != nil {
		t.Fatal(err)
	}
	kept = append(kept, ".keeper.ini.tmp-99", "keeper.ini")

	err := Update(context.Background(), path, func(old string, exists bool) ([]byte, error) {
		return []byte(old + " new"), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	slices.Sort(kept)
	if !slices.Equal(names, kept) {
		t.Errorf("directory holds %q, want %q", names, kept)
	}
	if got, _ := os.ReadFile(path); string(got) != "old new" {
		t.Errorf("content %q", got)
	}
}

// A failed update removes stale temps too, but changes nothing else.
func TestUpdateFailureStillRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keeper.ini")
	os.WriteFile(path, []byte("old"), Mode)
	stale := filepath.Join(dir, ".keeper.ini.tmp-42")
	os.WriteFile(stale, []byte("partial"), Mode)
	err := Update(context.Background(), path, func(string, bool) ([]byte, error) {
		return nil, os.ErrInvalid
	})
	if err == nil {
		t.Fatal("update succeeded")
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temp still there: %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("content %q", got)
	}
}

// Under umask 000 the file, its lock and the temp files are 0600.
func TestModesUnderUmask000(t *testing.T) {
	umask0(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	if err := os.WriteFile(path, []byte("{}"), 0o666); err != nil {
		t.Fatal(err)
	}
	err := Update(context.Background(), path, func(old string, _ bool) ([]byte, error) {
		// The temp file does not exist yet; check the lock here.
		checkMode(t, path+".lock")
		return []byte(`{"a":1}`), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checkMode(t, path)
	checkMode(t, path+".lock")
}

func checkMode(t *testing.T, path string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Error(err)
	} else if st.Mode().Perm() != Mode {
		t.Errorf("%s has mode %04o, want %04o", filepath.Base(path), st.Mode().Perm(), Mode)
	}
}

// helperEnv makes the test binary a process that takes the lock on the
// path it names, says "locked", and waits to be killed.
const helperEnv = "ATOMICFILE_TEST_HOLD_LOCK"

func TestMain(m *testing.M) {
	if path := os.Getenv(helperEnv); path != "" {
		unlock, err := Lock(context.Background(), path)
		if err != nil {
			os.Stderr.WriteString(err.Error())
			os.Exit(3)
		}
		os.Stdout.WriteString("locked\n")
		_, _ = io.Copy(io.Discard, os.Stdin) // until killed, or the test ends
		unlock()                             // keeps the lock reachable until here
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// A lock held by a process that is SIGKILLed does not block the next
// writer: the kernel releases it with the process.
func TestLockOfKilledHolderIsReleased(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keeper.ini")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n') // returns when the helper holds the lock, or dies
	if err != nil || strings.TrimSpace(line) != "locked" {
		t.Fatalf("helper did not take the lock: %q %v", line, err)
	}

	// While it lives, the lock is really held.
	saved := LockTimeout
	LockTimeout = 50 * time.Millisecond
	defer func() { LockTimeout = saved }()
	write := func() error {
		return Update(context.Background(), path, func(string, bool) ([]byte, error) { return []byte("x"), nil })
	}
	if err := write(); err == nil || !strings.Contains(err.Error(), "is locked by process ") {
		t.Fatalf("update while the lock is held: %v", err)
	}

	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	LockTimeout = saved
	if err := write(); err != nil {
		t.Fatalf("update after the holder was killed: %v", err)
	}
}
