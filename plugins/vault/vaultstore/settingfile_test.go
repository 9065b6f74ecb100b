//go:build linux

package vaultstore

import (
	"context"
	"github.com/ksm-cli/ksm/internal/storecall"
	"github.com/ksm-cli/ksm/internal/testenv"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ksm-cli/ksm/internal/testuser"
	"github.com/ksm-cli/ksm/shared"
)

// Rows (issue 17, item 4): a secret_id_file or jwt_file must be the user's
// (or root's) and writable by no other user, and so must the directories
// and links on the way; otherwise nothing is read from it. Planted in a
// shared sticky directory (like /tmp). As root each row also runs as uid
// 65534 with the same files.
func TestSettingFileOwnership(t *testing.T) {
	var bin string
	if os.Geteuid() == 0 {
		bin = testuser.Binary(t)
	}
	const secret = "s.0123456789abcdef"
	tests := []struct {
		name      string
		needOther bool
		plant     func(t *testing.T, dir string) string
		want      string // in the error; "" means the secret is read
	}{
		{name: "another user's file", needOther: true, plant: func(t *testing.T, dir string) string {
			p := plantFile(t, filepath.Join(dir, "secret-id"), secret, 0o644)
			chownOther(t, p)
			return p
		}, want: "is owned by uid 54321; ksm reads credentials only from files that are yours (or root's)"},
		{name: "a link another user planted to an own file", needOther: true, plant: func(t *testing.T, dir string) string {
			own := plantFile(t, filepath.Join(dir, "own"), secret, 0o600)
			link := filepath.Join(dir, "secret-id")
			if err := os.Symlink(own, link); err != nil {
				t.Fatal(err)
			}
			chownOther(t, link)
			return link
		}, want: "secret-id is owned by uid 54321"},
		{name: "own file writable by others", plant: func(t *testing.T, dir string) string {
			p := plantFile(t, filepath.Join(dir, "secret-id"), secret, 0o600)
			if err := os.Chmod(p, 0o666); err != nil {
				t.Fatal(err)
			}
			return p
		}, want: "is writable by others (mode 0666); ksm reads credentials only from files that no other user can write: run `chmod go-w "},
		{name: "own file writable by group", plant: func(t *testing.T, dir string) string {
			p := plantFile(t, filepath.Join(dir, "secret-id"), secret, 0o600)
			if err := os.Chmod(p, 0o620); err != nil {
				t.Fatal(err)
			}
			return p
		}, want: "is writable by group (mode 0620)"},
		{name: "own file in a world-writable directory", plant: func(t *testing.T, dir string) string {
			sub := filepath.Join(dir, "open")
			if err := os.Mkdir(sub, 0o777); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(sub, 0o777); err != nil {
				t.Fatal(err)
			}
			return plantFile(t, filepath.Join(sub, "secret-id"), secret, 0o600)
		}, want: "open is writable by others (mode 0777)"},
		{name: "own file in the sticky shared directory", plant: func(t *testing.T, dir string) string {
			return plantFile(t, filepath.Join(dir, "secret-id"), secret, 0o600)
		}},
		{name: "own link to an own file (as Kubernetes mounts tokens)", plant: func(t *testing.T, dir string) string {
			own := plantFile(t, filepath.Join(dir, "..data"), secret, 0o644)
			link := filepath.Join(dir, "secret-id")
			if err := os.Symlink(own, link); err != nil {
				t.Fatal(err)
			}
			return link
		}},
	}
	for _, tt := range tests {
		for _, asUser := range []bool{false, true} {
			name := tt.name
			if asUser {
				name += " (as uid 65534)"
			}
			t.Run(name, func(t *testing.T) {
				testuser.SkipRowUnlessRoot(t, tt.needOther, asUser)
				dir := testuser.SharedDir(t, asUser)
				path := tt.plant(t, dir)
				var got string
				if asUser {
					testuser.GiveTo(t, dir, testuser.UID)
					out, err := testuser.Command(t, bin, "KSM_TEST_SETTING_FILE="+path).CombinedOutput()
					if err != nil {
						t.Fatalf("child: %v: %s", err, out)
					}
					got = strings.TrimSpace(string(out))
				} else {
					got = readSettingFileResult(path)
				}
				switch {
				case tt.want == "" && got != "read "+secret:
					t.Errorf("got %q", got)
				case tt.want != "" && !strings.Contains(got, tt.want):
					t.Errorf("got %q, want %q", got, tt.want)
				case strings.Contains(got, "\n") || (tt.want != "" && strings.Contains(got, secret)):
					t.Errorf("not one line, or the content shows: %q", got)
				}
			})
		}
	}
}

func readSettingFileResult(path string) string {
	s, err := readSettingFile(path)
	if err != nil {
		return err.Error()
	}
	return "read " + s
}

func init() {
	if p := os.Getenv("KSM_TEST_SETTING_FILE"); p != "" {
		os.Stdout.WriteString(readSettingFileResult(p) + "\n")
		os.Exit(0)
	}
}

// A jwt_file that names a file of the user's own that is no
// service-account token (a key, a password file) passes the ownership
// rule, but is never sent: only a JWT is.
func TestJWTFileMustHoldAJWT(t *testing.T) {
	var logins atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logins.Add(1)
		w.WriteHeader(http.StatusBadRequest)
	}))
	defer srv.Close()
	isolate(t)
	dir := t.TempDir()
	for _, tc := range []struct{ name, content string }{
		{"one-line password", "hunter2-secret-password"},
		{"netrc line", "machine example.com login me password s3cret"},
		{"base64 blob", "c2VjcmV0LWtleS1tYXRlcmlhbA=="},
		{"two dots but not base64url", "a.b c.d"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := plantFile(t, filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")), tc.content, 0o600)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := storecall.Load(ctx, New(Options{}), shared.Settings{"address": srv.URL, "path": "ksm/x", "auth": "kubernetes", "role": "r", "jwt_file": p})
			wantFailure(t, err, shared.CodeUnauthenticated, p+" does not hold a JWT, so ksm does not send it", "--jwt-file")
			if strings.Contains(err.Error(), tc.content) {
				t.Errorf("the error shows the file's content: %v", err)
			}
		})
	}
	if n := logins.Load(); n != 0 {
		t.Errorf("%d logins sent a file that holds no JWT", n)
	}
	for s, want := range map[string]bool{
		"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln": true,
		"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.":      true,
		"a.b":                                       false,
		"a..c":                                      false,
		"a.b.c.d":                                   false,
		"a+b.c.d":                                   false,
	} {
		if looksLikeJWT(s) != want {
			t.Errorf("looksLikeJWT(%q) = %v", s, !want)
		}
	}
}

func plantFile(t *testing.T, path, content string, mode os.FileMode) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content+"\n"), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

func chownOther(t *testing.T, path string) {
	t.Helper()
	if err := os.Lchown(path, testuser.Other, testuser.Other); err != nil {
		t.Fatal(err)
	}
}

// The same rule, seen from Vault: an AppRole login with another user's
// secret_id_file, or a jwt_file that others can write, never reaches the
// server. On 00475f8 both files were read and sent.
func TestForeignCredentialFileIsNotSent(t *testing.T) {
	if os.Geteuid() != 0 {
		testenv.Skip(t, "needs-root", "planting another user's file needs root; run the tests as root to cover this row (TestSettingFileOwnership covers the mode rows)")
	}
	var logins atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logins.Add(1)
		w.WriteHeader(http.StatusBadRequest)
	}))
	defer srv.Close()
	isolate(t)
	dir := t.TempDir()
	foreign := plantFile(t, filepath.Join(dir, "secret-id"), "s.0123456789abcdef", 0o644)
	chownOther(t, foreign)
	open := plantFile(t, filepath.Join(dir, "token"), "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", 0o600)
	if err := os.Chmod(open, 0o666); err != nil {
		t.Fatal(err)
	}
	for _, settings := range []shared.Settings{
		{"address": srv.URL, "path": "ksm/x", "auth": "approle", "role_id": "r", "secret_id_file": foreign},
		{"address": srv.URL, "path": "ksm/x", "auth": "kubernetes", "role": "r", "jwt_file": open},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := storecall.Load(ctx, New(Options{}), settings)
		cancel()
		wantFailure(t, err, shared.CodeUnauthenticated, "ksm reads credentials only from files")
	}
	if n := logins.Load(); n != 0 {
		t.Errorf("%d logins were sent", n)
	}
}
