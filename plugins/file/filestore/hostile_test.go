//go:build linux

package filestore

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/internal/storecall"
	"github.com/ksm-cli/ksm/internal/testuser"
	"github.com/ksm-cli/ksm/shared"
)

// Row (issue 17, item 4): `profile setup --type=file --path` on a file
// another user owns was accepted, and that user then controlled the
// profile's config. Each row plants a --path in a shared sticky directory
// (like /tmp); setup (Validate), Load and Save must all refuse the unsafe
// ones, naming --path (never --ini-file), and leave the file as it was.
// As root each row also runs as uid 65534, with the same planted files.
func TestHostilePath(t *testing.T) {
	var bin string
	if os.Geteuid() == 0 {
		bin = testuser.Binary(t)
	}
	cfg := string(shared.MarshalConfig(testConfig()))
	tests := []struct {
		name      string
		needOther bool // making a file another user's needs root
		plant     func(t *testing.T, dir string) string
		want      string // in every refusal; "" means all three work
	}{
		{name: "another user's config", needOther: true, plant: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "ksm.json")
			write(t, p, cfg, 0o644)
			chownOther(t, p)
			return p
		}, want: "is owned by uid 54321"},
		{name: "a symlink another user planted", needOther: true, plant: func(t *testing.T, dir string) string {
			own := filepath.Join(dir, "own.json")
			write(t, own, cfg, 0o600)
			link := filepath.Join(dir, "ksm.json")
			if err := os.Symlink(own, link); err != nil {
				t.Fatal(err)
			}
			if err := os.Lchown(link, testuser.Other, testuser.Other); err != nil {
				t.Fatal(err)
			}
			return link
		}, want: "is owned by uid 54321"},
		{name: "inside another user's directory", needOther: true, plant: func(t *testing.T, dir string) string {
			sub := filepath.Join(dir, "theirs")
			if err := os.Mkdir(sub, 0o755); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(sub, "ksm.json")
			write(t, p, cfg, 0o644)
			chownOther(t, p)
			chownOther(t, sub)
			return p
		}, want: "theirs is owned by uid 54321"},
		{name: "own file writable by others", plant: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "ksm.json")
			write(t, p, cfg, 0o600)
			if err := os.Chmod(p, 0o666); err != nil {
				t.Fatal(err)
			}
			return p
		}, want: "is writable by others (mode 0666); ksm uses a config file only if it and its directories are yours (or root's) and no other user can write them: run `chmod go-w "},
		{name: "own file in a world-writable directory without the sticky bit", plant: func(t *testing.T, dir string) string {
			sub := filepath.Join(dir, "open")
			if err := os.Mkdir(sub, 0o777); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(sub, 0o777); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(sub, "ksm.json")
			write(t, p, cfg, 0o600)
			return p
		}, want: "open is writable by others (mode 0777)"},
		{name: "own file in the sticky shared directory", plant: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "ksm.json")
			write(t, p, cfg, 0o600)
			return p
		}},
		{name: "own symlink to own file", plant: func(t *testing.T, dir string) string {
			own := filepath.Join(dir, "own.json")
			write(t, own, cfg, 0o600)
			link := filepath.Join(dir, "ksm.json")
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
				if asUser {
					testuser.GiveTo(t, dir, testuser.UID)
				}
				before := snapshot(t, dir)
				for _, op := range []string{"validate", "load", "save"} {
					var got string
					if asUser {
						out, err := testuser.Command(t, bin, "KSM_TEST_FILESTORE="+op+":"+path).CombinedOutput()
						if err != nil {
							t.Fatalf("child: %v: %s", err, out)
						}
						got = strings.TrimSpace(string(out))
					} else {
						got = storeOp(op, path)
					}
					switch {
					case tt.want == "" && got != "ok":
						t.Errorf("%s: %s", op, got)
					case tt.want != "" && !strings.Contains(got, tt.want):
						t.Errorf("%s: got %q, want %q", op, got, tt.want)
					case tt.want != "" && (!strings.Contains(got, "--path") || strings.Contains(got, "--ini-file") || strings.Contains(got, "\n")):
						t.Errorf("%s: the refusal must be one line naming --path: %q", op, got)
					}
				}
				if after := snapshot(t, dir); tt.want != "" && after != before {
					t.Errorf("a refused save changed the directory:\n%s\nnow:\n%s", before, after)
				}
			})
		}
	}
}

// storeOp runs one store call on path: "ok" or its error.
func storeOp(op, path string) string {
	ctx := context.Background()
	var err error
	switch op {
	case "validate":
		_, err = storecall.Validate(ctx, New(Options{Version: "test"}), map[string]string{"path": path})
	case "load":
		_, err = storecall.Load(ctx, New(Options{Version: "test"}), shared.Settings{"path": path})
	case "save":
		err = storecall.Save(ctx, New(Options{Version: "test"}), shared.SaveRequest{Settings: shared.Settings{"path": path}, Config: testConfig(), Overwrite: true})
	}
	if err != nil {
		return err.Error()
	}
	return "ok"
}

func init() {
	if v := os.Getenv("KSM_TEST_FILESTORE"); v != "" {
		op, path, _ := strings.Cut(v, ":")
		os.Stdout.WriteString(storeOp(op, path) + "\n")
		os.Exit(0)
	}
}

func chownOther(t *testing.T, path string) {
	t.Helper()
	if err := os.Lchown(path, testuser.Other, testuser.Other); err != nil {
		t.Fatal(err)
	}
}

// snapshot lists the directory's entries with their sizes, modes and
// contents, to tell that nothing was written.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		b.WriteString(p + " " + fi.Mode().String())
		if fi.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			b.WriteString(" " + string(data))
		}
		b.WriteString("\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
