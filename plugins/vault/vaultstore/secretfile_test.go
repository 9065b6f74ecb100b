package vaultstore

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ksm-cli/ksm/internal/testuser"
)

func TestReadSecretFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good", "  s.abcdef123456\n")
	link := filepath.Join(dir, "link")
	if err := os.Symlink(good, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := mkfifo(fifo); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path, want, wantErr string
	}{
		{"trimmed", good, "s.abcdef123456", ""},
		{"symlink to a file", link, "s.abcdef123456", ""},
		{"missing", filepath.Join(dir, "none"), "", "does not exist"},
		{"directory", dir, "", "is not a regular file"},
		{"fifo (would block)", fifo, "", "is not a regular file"},
		{"device", "/dev/zero", "", "is not a regular file"},
		{"empty", write("empty", "\n\n"), "", "is empty"},
		{"two lines", write("two", "secret-one\nsecret-two\n"), "", "more than one line"},
		{"escape sequence", write("esc", "tok\x1b[31m"), "", "control characters"},
		{"too large", write("large", strings.Repeat("a", maxSecretFile+1)), "", "larger than 64 KB"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			done := make(chan struct{})
			var got string
			var err error
			go func() { got, err = readSecretFile(c.path); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("readSecretFile blocked")
			}
			if c.wantErr == "" {
				if err != nil || got != c.want {
					t.Fatalf("got %q, %v; want %q", got, err, c.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("got %q, %v; want an error containing %q", got, err, c.wantErr)
			}
			if strings.Contains(err.Error(), "secret-one") || strings.Contains(err.Error(), "tok\x1b") {
				t.Errorf("error repeats the content: %v", err)
			}
		})
	}
	t.Run("unreadable", func(t *testing.T) {
		if testuser.Rerun(t) { // root reads any file: run as another user
			return
		}
		p := write("locked", "x")
		if err := os.Chmod(p, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := readSecretFile(p); err == nil || !strings.Contains(err.Error(), "not readable") {
			t.Errorf("got %v", err)
		}
	})
}
