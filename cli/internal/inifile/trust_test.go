//go:build unix

package inifile

import (
	"context"
	"errors"
	"github.com/ksm-cli/ksm/internal/testenv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/ini.v1"
)

// The keeper.ini trust rule, row by row, for reads and writes alike.
// Rows that need another user's file run only as root (chown), and say so.
func TestTrustRule(t *testing.T) {
	tests := []struct {
		name     string
		rootOnly bool
		setup    func(dir string) string // returns the keeper.ini path
		want     string                  // "" means trusted
		noChmod  bool
	}{
		{"the user's own file", false, func(d string) string { return write(t, d, "keeper.ini", 0o600) }, "", false},
		{"the user's own file, readable by others", false, func(d string) string { return write(t, d, "keeper.ini", 0o644) }, "", false},
		{"writable by others", false, func(d string) string { return write(t, d, "keeper.ini", 0o666) }, "it is writable by others (mode 0666)", false},
		{"writable by group", false, func(d string) string { return write(t, d, "keeper.ini", 0o620) }, "it is writable by group (mode 0620)", false},
		{"in a directory others can write", false, func(d string) string {
			os.Chmod(d, 0o777)
			return write(t, d, "keeper.ini", 0o600)
		}, "its directory ", false},
		{"in a sticky shared directory", false, func(d string) string {
			os.Chmod(d, os.ModeSticky|0o777)
			return write(t, d, "keeper.ini", 0o600)
		}, "", false},
		{"missing, in a directory others can write", false, func(d string) string {
			os.Chmod(d, 0o777)
			return filepath.Join(d, "keeper.ini")
		}, "its directory ", false},
		{"another user's file", true, func(d string) string {
			p := write(t, d, "keeper.ini", 0o644)
			os.Chown(p, 54321, 54321)
			return p
		}, "it is owned by uid 54321, not by you or root", true},
		{"a link of the user's to another user's file", true, func(d string) string {
			p := write(t, d, "theirs.ini", 0o644)
			os.Chown(p, 54321, 54321)
			link := filepath.Join(d, "keeper.ini")
			os.Symlink(p, link)
			return link
		}, "owned by uid 54321", true},
		{"another user's directory", true, func(d string) string {
			sub := filepath.Join(d, "sub")
			os.Mkdir(sub, 0o755)
			p := write(t, sub, "keeper.ini", 0o600)
			os.Chown(sub, 54321, 54321)
			return p
		}, "its directory ", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.rootOnly && os.Geteuid() != 0 {
				testenv.Skip(t, "needs-root", "making another user's file needs root (chown)")
			}
			path := tt.setup(t.TempDir())
			before, _ := os.ReadFile(path)
			_, rerr := Read(path)
			uerr := Update(context.Background(), path, func(f *ini.File) error { f.Section("b").Key("k").SetValue("v"); return nil })
			if tt.want == "" {
				if rerr != nil && !errors.Is(rerr, ErrNotExist) || uerr != nil {
					t.Fatalf("read: %v; update: %v", rerr, uerr)
				}
				return
			}
			for op, err := range map[string]error{"read": rerr, "update": uerr} {
				var ue *UntrustedError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("%s: got %v, want an UntrustedError with %q", op, err, tt.want)
					continue
				}
				msg := err.Error()
				if !strings.HasPrefix(msg, "refusing keeper.ini "+path+": ") || !strings.Contains(msg, "--ini-file") || !strings.Contains(msg, "KSM_INI_DIR") {
					t.Errorf("%s: %s", op, msg)
				}
				if tt.noChmod && strings.Contains(msg, "chmod") {
					t.Errorf("%s: offers a chmod the user cannot run: %s", op, msg)
				}
			}
			if after, _ := os.ReadFile(path); string(after) != string(before) {
				t.Errorf("changed: %q", after)
			}
		})
	}
}

// The open descriptor is judged, not the path: a file swapped in between
// the path check and the open is refused.
func TestTrustRuleJudgesTheOpenFile(t *testing.T) {
	if os.Geteuid() != 0 {
		testenv.Skip(t, "needs-root", "making another user's file needs root (chown)")
	}
	p := write(t, t.TempDir(), "keeper.ini", 0o600)
	os.Chown(p, 54321, 54321) // after any path check: as if swapped in
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	var ue *UntrustedError
	if err := verifyOpened(p)(p, fi); !errors.As(err, &ue) {
		t.Fatalf("got %v", err)
	}
}

func write(t *testing.T, dir, name string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("[_config]\nactive_profile = a\n\n[a]\nhostname = h\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}
