//go:build linux

package atomicfile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ksm-cli/ksm/internal/testenv"
	"github.com/ksm-cli/ksm/internal/testuser"
)

// Each row is an attack on keeper.ini or its lock from the table:
// what another user (or the file itself) does, what ksm must say, and
// that nothing was written where it should not be.
//
// As root, each row runs twice: by root, and by an unprivileged user
// (uid 65534) in a child process, with the same planted files; the kernel
// treats the two differently (root opens any file).
func TestHostileFiles(t *testing.T) {
	root := os.Geteuid() == 0
	var bin string
	if root {
		bin = testuser.Binary(t)
	}
	tests := []struct {
		name        string
		needOther   bool // needs root to make a file another user's
		plant       func(t *testing.T, dir, ini string)
		want        string // in the error; "" means the update works
		readRefused bool   // ReadString refuses it too
		check       func(t *testing.T, dir, ini string)
	}{
		{name: "lock is a symlink planted in a shared dir", plant: func(t *testing.T, dir, ini string) {
			mustSymlink(t, filepath.Join(dir, "victim"), ini+".lock")
		}, want: "is a symbolic link", check: func(t *testing.T, dir, ini string) {
			if _, err := os.Lstat(filepath.Join(dir, "victim")); err == nil {
				t.Error("the symlink's target was created")
			}
		}},
		{name: "lock owned by another user", needOther: true, plant: func(t *testing.T, dir, ini string) {
			mustWrite(t, ini+".lock", "", 0o644)
			mustChown(t, ini+".lock")
		}, want: "is owned by uid 54321; remove it"},
		{name: "keeper.ini a symlink owned by another user", needOther: true, plant: func(t *testing.T, dir, ini string) {
			mustWrite(t, filepath.Join(dir, "target"), "[_config]\n", 0o600)
			mustSymlink(t, filepath.Join(dir, "target"), ini)
			if err := os.Lchown(ini, testuser.Other, testuser.Other); err != nil {
				t.Fatal(err)
			}
		}, want: "is a symbolic link owned by uid 54321", check: func(t *testing.T, dir, ini string) {
			if b, _ := os.ReadFile(filepath.Join(dir, "target")); string(b) != "[_config]\n" {
				t.Errorf("written through the link: %q", b)
			}
		}},
		{name: "keeper.ini a symlink to another user's file", needOther: true, plant: func(t *testing.T, dir, ini string) {
			mustWrite(t, filepath.Join(dir, "target"), "x", 0o666)
			mustChown(t, filepath.Join(dir, "target"))
			mustSymlink(t, filepath.Join(dir, "target"), ini)
		}, want: "which is owned by uid 54321"},
		{name: "own symlink is followed and kept", plant: func(t *testing.T, dir, ini string) {
			mustWrite(t, filepath.Join(dir, "target"), "old", 0o600)
			mustSymlink(t, filepath.Join(dir, "target"), ini)
		}, check: func(t *testing.T, dir, ini string) {
			if fi, err := os.Lstat(ini); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Errorf("the link was replaced: %v %v", fi, err)
			}
			if b, _ := os.ReadFile(filepath.Join(dir, "target")); string(b) != "new" {
				t.Errorf("target holds %q", b)
			}
		}},
		{name: "keeper.ini is a FIFO", plant: func(t *testing.T, dir, ini string) {
			if err := syscall.Mkfifo(ini, 0o600); err != nil {
				t.Fatal(err)
			}
		}, want: "is a FIFO", readRefused: true},
		{name: "keeper.ini is /dev/zero", plant: func(t *testing.T, dir, ini string) {
			mustSymlink(t, "/dev/zero", ini)
		}, want: "is a device", readRefused: true},
		{name: "keeper.ini is a 2 GB sparse file", plant: func(t *testing.T, dir, ini string) {
			mustWrite(t, ini, "", 0o600)
			if err := os.Truncate(ini, 2<<30); err != nil {
				t.Fatal(err)
			}
		}, want: "larger than 16 MiB", readRefused: true},
		{name: "keeper.ini made read-only by its owner", plant: func(t *testing.T, dir, ini string) {
			mustWrite(t, ini, "[_config]\n", 0o400)
		}, want: "is read-only (mode 0400)", check: func(t *testing.T, dir, ini string) {
			if fi, _ := os.Stat(ini); fi.Mode().Perm() != 0o400 {
				t.Errorf("mode now %v", fi.Mode())
			}
		}},
	}
	for _, tt := range tests {
		for _, asUser := range []bool{false, true} {
			name := tt.name
			if asUser {
				name += " (as uid 65534)"
			}
			t.Run(name, func(t *testing.T) {
				if tt.needOther && !root {
					testenv.Skip(t, "needs-root", "planting another user's file needs root; run the tests as root to cover this row")
				}
				if asUser && !root {
					testenv.Skip(t, "needs-root", "not root: this row ran as this user only")
				}
				dir := sharedDir(t)
				ini := filepath.Join(dir, "keeper.ini")
				tt.plant(t, dir, ini)
				var err error
				if asUser {
					giveTo(t, dir, testuser.UID)
					err = updateAsUser(t, bin, ini)
				} else {
					err = update(ini)
				}
				switch {
				case tt.want == "" && err != nil:
					t.Fatalf("update: %v", err)
				case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
					t.Fatalf("got %v, want %q", err, tt.want)
				case err != nil && strings.Contains(err.Error(), "\n"):
					t.Errorf("error spans lines: %q", err)
				}
				if tt.check != nil {
					tt.check(t, dir, ini)
				}
				if tt.readRefused {
					if _, err := ReadString(ini); err == nil {
						t.Errorf("ReadString read it")
					}
				}
			})
		}
	}
}

func update(ini string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return Update(ctx, ini, func(string, bool) ([]byte, error) { return []byte("new"), nil })
}

// updateAsUser runs update in a child as the unprivileged user.
func updateAsUser(t *testing.T, bin, ini string) error {
	t.Helper()
	out, err := testuser.Command(t, bin, "KSM_TEST_UPDATE="+ini).CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v: %s", err, out)
	}
	if msg := strings.TrimSpace(string(out)); msg != "ok" {
		return errors.New(msg)
	}
	return nil
}

// giveTo hands what was planted as "ours" to uid; what another user owns
// stays theirs.
func giveTo(t *testing.T, dir string, uid int) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		if ownerOf(fi) != testuser.Other {
			if err := os.Lchown(p, uid, uid); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func init() {
	if ini := os.Getenv("KSM_TEST_UPDATE"); ini != "" {
		if err := update(ini); err != nil {
			os.Stdout.WriteString(err.Error() + "\n")
		} else {
			os.Stdout.WriteString("ok\n")
		}
		os.Exit(0)
	}
}

// sharedDir is a world-writable sticky directory like /tmp, where the
// attacks are planted.
func sharedDir(t *testing.T) string {
	dir := filepath.Join(testuser.Dir(t), "shared")
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, os.ModeSticky|0o777); err != nil {
		t.Fatal(err)
	}
	return dir
}

func mustWrite(t *testing.T, path, data string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func mustChown(t *testing.T, path string) {
	t.Helper()
	if err := os.Chown(path, testuser.Other, testuser.Other); err != nil {
		t.Fatal(err)
	}
}
