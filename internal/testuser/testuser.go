//go:build unix

// Package testuser lets a test run its hostile-user cases a second time as
// an unprivileged user when the tests run as root (as CI does): what ksm
// does differs for root (it can open any file; the kernel's protected_*
// rules apply differently), so both are tested. It uses uid/gid 65534 (nobody),
// which every Linux system has, and never creates an account.
package testuser

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// UID and GID of the unprivileged user; Other is a uid nobody logs in as,
// the owner of what "another user" plants.
const (
	UID   = 65534
	GID   = 65534
	Other = 54321
)

// Binary copies this test binary where the unprivileged user can run it,
// for the life of t (copy once, in the parent of the subtests).
func Binary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(Dir(t), "test.bin")
	data, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// Command runs bin (see Binary) as the unprivileged user with env added
// (a helper mode of the test binary chosen by env). Only root can do
// this: callers skip otherwise.
func Command(t *testing.T, bin string, env ...string) *exec.Cmd {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("testuser.Command needs root")
	}
	cmd := exec.Command(bin)
	// A race-enabled binary sleeps 1 s at exit unless told not to.
	cmd.Env = append(append(os.Environ(), "GORACE=atexit_sleep_ms=0"), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: UID, Gid: GID}}
	return cmd
}

// Dir returns a temp directory the unprivileged user owns, in a chain it
// can enter (t.TempDir's parents are 0700).
func Dir(t *testing.T) string {
	t.Helper()
	base, err := os.MkdirTemp("/tmp", "ksm-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if err := os.Chown(base, UID, GID); err != nil {
			t.Fatal(err)
		}
	}
	return base
}
