package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/internal/testenv"
)

// bundledTypes is the Makefile's PLUGINS: the one list of the store types
// built with ksm.
func bundledTypes(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("make", "-C", "../..", "--no-print-directory", "-s", "plugins").Output()
	if err != nil {
		t.Fatalf("make plugins: %v", err)
	}
	types := strings.Fields(string(out))
	if len(types) == 0 {
		t.Fatal("make plugins printed no store type")
	}
	return types
}

// `go install ./...` (what `go install github.com/ksm-cli/ksm/...@vX` does
// on a clone) into an empty GOBIN gives ksm and its plugins, named as ksm
// looks for them, and nothing else; ksm then runs a plugin from there once
// it is trusted.
func TestGoInstallGivesExactlyTheBinaries(t *testing.T) {
	if testing.Short() {
		testenv.Skip(t, "short", "builds every main package")
	}
	gobin := t.TempDir()
	cmd := exec.Command("go", "install", "./...")
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "GOBIN="+gobin, "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go install ./...: %v\n%s", err, out)
	}
	want := []string{"ksm"}
	for _, typ := range bundledTypes(t) {
		want = append(want, "ksm-storage-"+typ)
	}
	entries, err := os.ReadDir(gobin)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("go install ./... installed %q, want exactly %q", got, want)
	}

	// A go-installed plugin carries no hash linked into ksm: ksm refuses it
	// until `ksm plugin trust`, then runs it.
	home := t.TempDir()
	config := filepath.Join(home, "config.json")
	ref, err := os.ReadFile("../../testdata/reference/config1.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(config, ref, 0o600); err != nil {
		t.Fatal(err)
	}
	ksm := func(args ...string) (string, error) {
		cmd := exec.Command(filepath.Join(gobin, "ksm"), args...)
		cmd.Dir = home
		cmd.Env = []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "PATH=/usr/bin:/bin", "KSM_INI_DIR=" + home}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := ksm("profile", "show", "-p", "x"); err == nil {
		t.Fatalf("profile show with no profile succeeded:\n%s", out)
	}
	out, err := ksm("plugin", "list")
	if err != nil || !strings.Contains(out, filepath.Join(gobin, "ksm-storage-file")) || !strings.Contains(out, "not trusted") {
		t.Fatalf("plugin list (%v) does not show the installed file plugin as not trusted:\n%s", err, out)
	}
	if out, err := ksm("plugin", "trust", "file"); err != nil {
		t.Fatalf("plugin trust file: %v\n%s", err, out)
	}
	if out, err := ksm("profile", "setup", "--type=file", "-p", "f", "--path", config); err != nil {
		t.Fatalf("profile setup with the trusted go-installed plugin: %v\n%s", err, out)
	}
	if out, err := ksm("profile", "show", "f"); err != nil || !strings.Contains(out, "Storage:") {
		t.Fatalf("profile show f: %v\n%s", err, out)
	}
}
