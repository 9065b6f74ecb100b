package pluginhost

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/ksm-cli/ksm/internal/launch"
	"github.com/ksm-cli/ksm/shared"
)

func TestDirs(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "KSM_PLUGIN_PATH" {
				return v
			}
			return ""
		}
	}
	tests := []struct {
		name, path string
		want       []string
	}{
		{"default", "", []string{"/opt/ksm", "/home/u/.config/ksm/plugins"}},
		{"plugin path only", "/a:/b", []string{"/a", "/b"}},
		{"relative and empty entries dropped", ".:rel::/a:/a/", []string{"/a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Dirs(env(tt.path), "/opt/ksm", "/home/u/.config"); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func writeExe(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

func TestDiscoverAndFind(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	writeExe(t, filepath.Join(a, "ksm-storage-file"), "a", 0o755)
	writeExe(t, filepath.Join(b, "ksm-storage-file"), "b", 0o755)
	writeExe(t, filepath.Join(b, "ksm-storage-vault-x"), "v", 0o755)
	writeExe(t, filepath.Join(b, "ksm-storage-noexec"), "n", 0o644)
	writeExe(t, filepath.Join(b, "ksm-storage-Bad"), "x", 0o755)
	writeExe(t, filepath.Join(b, "other-tool"), "x", 0o755)
	os.Mkdir(filepath.Join(b, "ksm-storage-dir"), 0o755)

	found := Discover([]string{a, b, "/nonexistent"})
	var got []string
	for _, p := range found {
		s := p.Type + "@" + filepath.Base(filepath.Dir(p.Path))
		if p.ShadowedBy != "" {
			s += " shadowed"
		}
		got = append(got, s)
	}
	want := []string{"file@" + filepath.Base(a), "file@" + filepath.Base(b) + " shadowed", "vault-x@" + filepath.Base(b)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Discover: got %v, want %v", got, want)
	}

	p, err := Find([]string{a, b}, "file")
	if err != nil || p.Path != filepath.Join(a, "ksm-storage-file") {
		t.Errorf("Find(file) = %v, %v", p, err)
	}
	for _, tt := range []struct{ typ, want string }{
		{"nope", `unknown storage type "nope" (installed: file, vault-x); install ksm-storage-nope`},
		{"Bad", `unknown storage type "Bad": a type is`},
		{"../x", `unknown storage type "../x": a type is`},
	} {
		if _, err := Find([]string{a, b}, tt.typ); !errors.Is(err, ErrUnknownType) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Find(%q) = %v, want %q", tt.typ, err, tt.want)
		}
	}
}

func TestPluginEnv(t *testing.T) {
	environ := []string{"HOME=/h", "PATH=/bin", "AWS_REGION=x", "AWS_SECRET_ACCESS_KEY=s", "SECRET=no",
		"KSM_TOKEN=t", "KSM_CONFIG=c", "KSM_CONFIG_BASE64_1=b", "KSM_CLI_TOKEN=u", "KSM_EXAMPLE_A=1", "TMPDIR=/tmp"}
	tests := []struct {
		declared []string
		want     []string
	}{
		{nil, []string{"HOME=/h", "PATH=/bin", "TMPDIR=/tmp"}},
		{[]string{"AWS_*"}, []string{"HOME=/h", "PATH=/bin", "AWS_REGION=x", "AWS_SECRET_ACCESS_KEY=s", "TMPDIR=/tmp"}},
		{[]string{"KSM_*"}, []string{"HOME=/h", "PATH=/bin", "KSM_EXAMPLE_A=1", "TMPDIR=/tmp"}},
		{[]string{"KSM_TOKEN", "SECRET"}, []string{"HOME=/h", "PATH=/bin", "SECRET=no", "TMPDIR=/tmp"}},
	}
	for _, tt := range tests {
		if got := pluginEnv(environ, tt.declared); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("declared %v: got %v, want %v", tt.declared, got, tt.want)
		}
	}
}

// verify's decisions: bundled, pinned, changed, trust on first use, and the
// stat stamp that spares a hash.
func TestVerify(t *testing.T) {
	exeDir, userDir := t.TempDir(), t.TempDir()
	bundledPath := filepath.Join(exeDir, "ksm-storage-file")
	userPath := filepath.Join(userDir, "ksm-storage-mine")
	writeExe(t, bundledPath, "bundled plugin", 0o755)
	writeExe(t, userPath, "user plugin", 0o755)
	bundledSum, _ := HashFile(bundledPath)
	var notices bytes.Buffer
	var logs bytes.Buffer
	h := &Host{
		Dirs:    []string{exeDir, userDir},
		ExeDir:  exeDir,
		Bundled: map[string]string{"file": bundledSum},
		Trust:   &TrustStore{Path: filepath.Join(t.TempDir(), "ksm", "trusted-plugins.json")},
		Log:     hclog.New(&hclog.LoggerOptions{Output: &logs, Level: hclog.Debug}),
		Notices: &notices,
	}
	ctx := context.Background()
	bundled := Plugin{Type: "file", Path: bundledPath}
	user := Plugin{Type: "mine", Path: userPath}

	if rec, err := verifyAndSave(ctx, h, bundled, false); err != nil || rec.Source != SourceBundled {
		t.Fatalf("bundled: %v %v", rec, err)
	}
	logs.Reset()
	if _, err := verifyAndSave(ctx, h, bundled, false); err != nil || strings.Contains(logs.String(), "hashed plugin") {
		t.Errorf("second verify hashed again (err %v): %s", err, logs.String())
	}

	if _, err := verifyAndSave(ctx, h, user, false); !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), "run `ksm plugin trust mine`") {
		t.Errorf("untrusted without first use: %v", err)
	}
	if rec, err := verifyAndSave(ctx, h, user, true); err != nil || rec.Source != SourcePinned || !strings.Contains(notices.String(), "Trusting plugin") {
		t.Errorf("first use: %v %v %q", rec, err, notices.String())
	}
	if _, err := verifyAndSave(ctx, h, user, false); err != nil {
		t.Errorf("pinned: %v", err)
	}

	appendByte(t, userPath)
	if _, err := verifyAndSave(ctx, h, user, true); !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), "has changed since it was trusted") {
		t.Errorf("changed pinned plugin (even on first use): %v", err)
	}
	appendByte(t, bundledPath)
	if _, err := verifyAndSave(ctx, h, bundled, true); !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), "not the one built with this ksm") {
		t.Errorf("changed bundled plugin: %v", err)
	}
	sum, _ := HashFile(bundledPath)
	known := &Known{SHA256: sum, Desc: &shared.Description{Name: "file", Version: "1.0.0", ProtocolVersion: shared.ProtocolVersion}}
	if _, err := h.TrustPlugin(ctx, "file", known, false); err != nil {
		t.Fatal(err)
	}
	if _, err := verifyAndSave(ctx, h, bundled, false); err != nil {
		t.Errorf("re-trusted plugin: %v", err)
	}
	if st, err := os.Stat(h.Trust.Path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("trust file: %v %v", st, err)
	}
}

// verifyAndSave is verify with the save Open does once a plugin proved valid.
func verifyAndSave(ctx context.Context, h *Host, p Plugin, firstUse bool) (*Record, error) {
	v, err := h.verify(p, firstUse)
	if err != nil {
		return nil, err
	}
	v.close()
	h.save(ctx, v)
	return v.rec, nil
}

func appendByte(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("x"))
	f.Close()
}

func TestSocketBaseIsShort(t *testing.T) {
	long := "/" + strings.Repeat("d", 80)
	tests := []struct {
		runtime string
		want    string
	}{
		{t.TempDir(), ""}, // a long test temp dir may or may not qualify
		{long, ""},
	}
	for _, tt := range tests {
		got := launch.SocketBase(func(k string) string {
			if k == "XDG_RUNTIME_DIR" {
				return tt.runtime
			}
			return ""
		})
		if len(got) > 40 {
			t.Errorf("SocketBase with XDG_RUNTIME_DIR=%q = %q, longer than 40", tt.runtime, got)
		}
	}
}
