//go:build unix

package ownership

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The ownership rule, path by path (root and the user are trusted owners).
func TestCheck(t *testing.T) {
	dir := t.TempDir()
	uid := os.Geteuid()
	mk := func(rel string, mode os.FileMode) string {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name  string
		setup func() string
		want  string // "" means safe
	}{
		{"private", func() string { return mk("a/ksm-storage-x", 0o755) }, ""},
		{"file group-writable", func() string { return mk("b/ksm-storage-x", 0o775) }, "is writable by group (mode 0775)"},
		{"dir world-writable", func() string {
			p := mk("c/ksm-storage-x", 0o755)
			os.Chmod(filepath.Dir(p), 0o777)
			return p
		}, "c is writable by others (mode 0777), so another user could replace what ksm runs; run `chmod go-w "},
		{"sticky shared dir", func() string {
			p := mk("d/ksm-storage-x", 0o755)
			os.Chmod(filepath.Dir(p), os.ModeSticky|0o777)
			return p
		}, ""},
		{"symlink into an unsafe dir", func() string {
			target := mk("e/real", 0o755)
			os.Chmod(filepath.Dir(target), 0o777)
			link := filepath.Join(dir, "a", "ksm-storage-link")
			os.Symlink(target, link)
			return link
		}, "e is writable by others"},
		{"relative", func() string { return "rel/ksm-storage-x" }, "is not an absolute path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckAs(tt.setup(), uid)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
	if uid == 0 {
		p := mk("f/ksm-storage-x", 0o755)
		os.Chown(p, 54321, 54321)
		if err := CheckAs(p, 0); err == nil || !strings.Contains(err.Error(), "is owned by uid 54321") {
			t.Errorf("another user's plugin: %v", err)
		}
		// root's files and directories are safe for any user
		if err := CheckAs(filepath.Join(dir, "a", "ksm-storage-x"), 54321); err != nil {
			t.Errorf("a root-owned plugin, for another user: %v", err)
		}
	}
}

// CheckOpened judges the descriptor's FileInfo, and the error carries the
// owner so callers can word their own refusal.
func TestCheckOpened(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(p, OpenFlags, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	os.Chmod(p, 0o666)
	fi, _ := f.Stat()
	err = CheckOpened(p, fi)
	var oe *Error
	if !errors.As(err, &oe) || oe.Path != p || oe.Owner != os.Geteuid() || oe.Foreign || oe.Hint != "chmod go-w "+p {
		t.Fatalf("group/world-writable file: %#v", err)
	}
	if os.Geteuid() == 0 {
		os.Chmod(p, 0o600)
		os.Chown(p, 54321, 54321)
		fi, _ = f.Stat()
		if err := CheckOpened(p, fi); !errors.As(err, &oe) || !oe.Foreign || oe.Owner != 54321 {
			t.Fatalf("another user's file: %#v", err)
		}
	}
}
