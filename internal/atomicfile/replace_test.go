//go:build unix

package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Replace (ksm -o FILE) writes a new 0600 file and refuses every path that
// would put the output somewhere the user did not mean: a symbolic link
// (even the user's own), a FIFO (without blocking on it), a directory, a
// read-only file, another user's file.
func TestReplace(t *testing.T) {
	dir := t.TempDir()
	path := func(name string) string { return filepath.Join(dir, name) }
	if err := os.WriteFile(path("target"), []byte("kept"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(path("target"), path("link")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path("fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(path("dir"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path("readonly"), []byte("kept"), 0o400); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path("loose"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, want string // want: part of the error; "" means written
	}{
		{"new", ""},
		{"loose", ""},
		{"link", "is a symbolic link, which ksm does not write through"},
		{"fifo", "is a FIFO"},
		{"dir", "is a directory"},
		{"readonly", "is read-only"},
	}
	if os.Geteuid() == 0 {
		if err := os.WriteFile(path("theirs"), []byte("kept"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(path("theirs"), 65534, 65534); err != nil {
			t.Fatal(err)
		}
		tests = append(tests, struct{ name, want string }{"theirs", "so ksm leaves it alone"})
	} else {
		t.Log("not root: another user's file cannot be made here, so that row is left out")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before []byte
			if fi, err := os.Stat(path(tt.name)); err == nil && fi.Mode().IsRegular() {
				before, _ = os.ReadFile(path(tt.name)) // never a FIFO: it would block
			}
			err := Replace(path(tt.name), []byte("out\n"))
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("err = %v, want %q", err, tt.want)
				}
				if before != nil {
					if after, _ := os.ReadFile(path(tt.name)); string(after) != string(before) {
						t.Errorf("refused, yet the file changed to %q", after)
					}
				}
				if got, _ := os.ReadFile(path("target")); string(got) != "kept" {
					t.Errorf("the link's target changed to %q", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			fi, err := os.Lstat(path(tt.name))
			if err != nil || fi.Mode() != Mode {
				t.Fatalf("mode %v (%v), want a regular %v file", fi.Mode(), err, Mode)
			}
			if got, _ := os.ReadFile(path(tt.name)); string(got) != "out\n" {
				t.Errorf("content %q", got)
			}
		})
	}
}
