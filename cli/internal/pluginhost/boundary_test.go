//go:build unix

package pluginhost

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/ksm-cli/ksm/internal/launch"
	"github.com/ksm-cli/ksm/internal/setupflags"
	"github.com/ksm-cli/ksm/shared"
)

// No trust state in a relative directory.
func TestConfigDir(t *testing.T) {
	tests := []struct {
		xdg, home, want string
	}{
		{"/x", "/h", "/x"},
		{"", "/h", "/h/.config"},
		{"rel", "/h", "/h/.config"},
		{"rel", "", ""},
		{"", ".", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		env := map[string]string{"XDG_CONFIG_HOME": tt.xdg, "HOME": tt.home}
		if got := ConfigDir(func(k string) string { return env[k] }, "linux"); got != tt.want {
			t.Errorf("XDG_CONFIG_HOME=%q HOME=%q: %q, want %q", tt.xdg, tt.home, got, tt.want)
		}
	}
	s := &TrustStore{}
	if _, err := s.Get("/x"); !errors.Is(err, ErrNoConfigDir) {
		t.Errorf("trust store without a directory: %v", err)
	}
}

// Trusting a bundled plugin keeps it bundled: after an upgrade of ksm with
// its plugins (new bytes, new built-in hash), it is trusted without asking.
func TestTrustBundledSurvivesUpgrade(t *testing.T) {
	exeDir := t.TempDir()
	path := filepath.Join(exeDir, "ksm-storage-file")
	writeExe(t, path, "version 1", 0o755)
	sum1, _ := HashFile(path)
	var notices bytes.Buffer
	h := &Host{
		Dirs: []string{exeDir}, ExeDir: exeDir, Bundled: map[string]string{"file": sum1},
		Trust: &TrustStore{Path: filepath.Join(t.TempDir(), "ksm", "trusted-plugins.json")},
		Log:   hclog.NewNullLogger(), Notices: &notices,
	}
	// (described already: this file cannot run)
	known := &Known{SHA256: sum1, Desc: &shared.Description{Name: "file", Version: "1.0.0", ProtocolVersion: shared.ProtocolVersion}}
	ch, err := h.TrustPlugin(context.Background(), "file", known, false)
	if err != nil || ch.New.Source != SourceBundled {
		t.Fatalf("trust: %+v %v", ch, err)
	}
	// The upgrade: new plugin bytes, and a ksm that knows their hash.
	os.Remove(path)
	writeExe(t, path, "version 2", 0o755)
	sum2, _ := HashFile(path)
	h.Bundled = map[string]string{"file": sum2}
	if _, err := verifyAndSave(context.Background(), h, Plugin{Type: "file", Path: path}, false); err != nil {
		t.Fatalf("after the upgrade: %v", err)
	}
	// A pin of an earlier bundled binary does not block an upgrade either.
	if err := h.Trust.Put(context.Background(), path, &Record{Type: "file", SHA256: sum1, Source: SourcePinned}); err != nil {
		t.Fatal(err)
	}
	if _, err := verifyAndSave(context.Background(), h, Plugin{Type: "file", Path: path}, false); err != nil {
		t.Fatalf("old pin of a bundled plugin: %v", err)
	}
}

// Every reserved name is refused as an option name: one error from
// Check, never a duplicate flag for urfave/cli to panic on.
func TestEveryReservedNameIsRefused(t *testing.T) {
	for _, name := range setupflags.ReservedNames() {
		d := &shared.Description{Name: "x", Version: "1", ProtocolVersion: shared.ProtocolVersion,
			Options: []shared.Option{{Name: name, Usage: "u"}}}
		if err := d.Check("x", setupflags.ReservedNames()); err == nil || !strings.Contains(err.Error(), "reserved") {
			t.Errorf("option %q: %v", name, err)
		}
	}
}

// The trust file decides what runs: in a directory others can write, it
// is refused, read or written.
func TestTrustFileOwnership(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ksm")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	s := &TrustStore{Path: filepath.Join(dir, "trusted-plugins.json")}
	if err := s.Put(context.Background(), "/p", &Record{Type: "x", SHA256: "00", Source: SourcePinned}); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("/p"); err == nil || !strings.Contains(err.Error(), "is not safe: "+dir+" is writable by others") {
		t.Errorf("read: %v", err)
	}
	if err := s.Put(context.Background(), "/p", &Record{}); err == nil || !strings.Contains(err.Error(), "is not safe") {
		t.Errorf("write: %v", err)
	}
}

// The socket directory is never relative (the current directory).
func TestSocketBaseNeverRelative(t *testing.T) {
	for _, v := range []string{"run", ".", "./x"} {
		got := launch.SocketBase(func(string) string { return v })
		if !filepath.IsAbs(got) {
			t.Errorf("XDG_RUNTIME_DIR=TMPDIR=%q: %q", v, got)
		}
	}
}

// A description cached by an older ksm is checked again: what this ksm
// refuses (here a one-letter env prefix) is not used from the cache.
func TestCachedDescriptionIsChecked(t *testing.T) {
	good := &shared.Description{Name: "x", Version: "1", ProtocolVersion: shared.ProtocolVersion, Env: []string{"XY_*"}}
	bad := &shared.Description{Name: "x", Version: "1", ProtocolVersion: shared.ProtocolVersion, Env: []string{"A*"}}
	for _, tt := range []struct {
		desc *shared.Description
		want bool
	}{{good, true}, {bad, false}} {
		v := &verified{plugin: Plugin{Type: "x"}, rec: &Record{Describe: tt.desc}}
		if got := cachedDescription(v) != nil; got != tt.want {
			t.Errorf("env %v: cached description used %v, want %v", tt.desc.Env, got, tt.want)
		}
	}
}
