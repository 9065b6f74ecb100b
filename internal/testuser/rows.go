//go:build unix

package testuser

import (
	"github.com/ksm-cli/ksm/internal/testenv"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// SkipRowUnlessRoot skips a hostile row that cannot run here, saying why:
// planting another user's file (needOther) and running as the
// unprivileged user (asUser) both need root.
func SkipRowUnlessRoot(t *testing.T, needOther, asUser bool) {
	t.Helper()
	root := os.Geteuid() == 0
	if needOther && !root {
		testenv.Skip(t, "needs-root", "planting another user's file needs root; run the tests as root to cover this row")
	}
	if asUser && !root {
		testenv.Skip(t, "needs-root", "not root: this row ran as this user only")
	}
}

// SharedDir is a world-writable sticky directory like /tmp, where a row
// plants its files, inside a directory of the user that runs the row (the
// unprivileged user when asUser).
func SharedDir(t *testing.T, asUser bool) string {
	t.Helper()
	base := t.TempDir()
	if asUser {
		base = Dir(t)
	}
	dir := filepath.Join(base, "shared")
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, os.ModeSticky|0o777); err != nil {
		t.Fatal(err)
	}
	return dir
}

// GiveTo hands what was planted below dir as "ours" to uid; what Other
// owns stays theirs.
func GiveTo(t *testing.T, dir string, uid int) {
	t.Helper()
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || p == dir {
			return err
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) == Other {
			return nil
		}
		return os.Lchown(p, uid, uid)
	})
	if err != nil {
		t.Fatal(err)
	}
}
