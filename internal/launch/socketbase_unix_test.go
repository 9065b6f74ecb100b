//go:build unix

package launch

import (
	"github.com/ksm-cli/ksm/internal/testenv"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// The socket directory goes only inside a directory the user owns and no
// one else may write; else into ksm's own /tmp/ksm-UID.
func TestSocketBaseOnlyPrivate(t *testing.T) {
	mk := func(t *testing.T, mode os.FileMode, uid int) string {
		dir, err := os.MkdirTemp("/tmp", "sb-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		if err := os.Chmod(dir, mode); err != nil {
			t.Fatal(err)
		}
		if uid != os.Geteuid() {
			if os.Geteuid() != 0 {
				testenv.Skip(t, "needs-root", "needs root to give a directory to another user")
			}
			if err := os.Chown(dir, uid, uid); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	me := os.Geteuid()
	tests := []struct {
		name string
		dir  func(t *testing.T) string
		used bool
	}{
		{"mine, 0700", func(t *testing.T) string { return mk(t, 0o700, me) }, true},
		{"mine, group-writable", func(t *testing.T) string { return mk(t, 0o770, me) }, false},
		{"mine, world-writable", func(t *testing.T) string { return mk(t, 0o777, me) }, false},
		{"another user's", func(t *testing.T) string { return mk(t, 0o700, 65534) }, false},
		{"a symlink to mine", func(t *testing.T) string {
			target := mk(t, 0o700, me)
			link := target + "-l"
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Remove(link) })
			return link
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.dir(t)
			got := SocketBase(func(k string) string {
				if k == "XDG_RUNTIME_DIR" || k == "TMPDIR" {
					return dir
				}
				return ""
			})
			if (got == dir) != tt.used {
				t.Fatalf("SocketBase = %q with XDG_RUNTIME_DIR=TMPDIR=%s, want used %v", got, dir, tt.used)
			}
			if !tt.used && got != filepath.Join("/tmp", "ksm-"+strconv.Itoa(me)) {
				t.Errorf("fallback %q, want ksm's own /tmp/ksm-UID", got)
			}
		})
	}
}
