package sdk_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/internal/testenv"
)

// TestReadmePluginBuilds is what an outside author does with README.md:
// the plugin and its test, as written there, in a module of their own that
// requires ksm (here replaced by this checkout), importing sdk
// alone; `go vet` and `go test` (which runs the conformance checks) pass.
func TestReadmePluginBuilds(t *testing.T) {
	if testing.Short() {
		testenv.Skip(t, "short", "builds a module: seconds")
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	if len(blocks) != 2 {
		t.Fatalf("README.md has %d go blocks, want 2 (main.go, main_test.go)", len(blocks))
	}
	mainGo, testGo := blocks[0][1], blocks[1][1]
	for _, imp := range regexp.MustCompile(`"github.com/ksm-cli/ksm/[^"]*"`).FindAllString(mainGo, -1) {
		if imp != `"github.com/ksm-cli/ksm/sdk"` {
			t.Errorf("the README's plugin imports %s; a plugin imports sdk alone", imp)
		}
	}

	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go (\S+)$`).FindStringSubmatch(mustRead(t, filepath.Join(root, "go.mod")))[1]
	if !strings.Contains(string(readme), "Go "+goLine+" or newer") {
		t.Errorf("README.md does not say the module needs Go %s or newer (go.mod's go line)", goLine)
	}
	dir := t.TempDir()
	goMod := "module example.com/ksm-storage-slots\n\ngo " + goLine + "\n\nrequire github.com/ksm-cli/ksm v0.0.0\n\nreplace github.com/ksm-cli/ksm => " + root + "\n"
	files := map[string]string{
		"go.mod":       goMod,
		"go.sum":       mustRead(t, filepath.Join(root, "go.sum")), // the module cache has them all
		"main.go":      mainGo,
		"main_test.go": testGo,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"vet", "./..."}, {"test", "-count=1", "./..."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		// The module proxy stays reachable, as for an outside author: a
		// fresh module cache lacks go.mod files that only the module graph
		// needs (go-hclog's go-spew), which GOPROXY=off failed on.
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s in a module made from README.md: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The README's install line works on a fresh machine: the plugin directory
// does not exist yet.
func TestReadmeInstallCreatesThePluginDir(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`(?m)^install .*ksm-storage-slots.*$`).FindString(string(readme))
	if line == "" {
		t.Fatal("README.md has no install line for ksm-storage-slots")
	}
	if strings.Contains(string(readme), "go get github.com/ksm-cli/ksm/sdk") {
		t.Error("README.md says go get …/sdk: the sdk is a package of ksm's module, get the module")
	}
	work, home := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "ksm-storage-slots"), []byte("#!/bin/sh\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/bin/sh", "-c", line)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "HOME="+home)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s in a fresh HOME: %v\n%s", line, err, out)
	}
	fi, err := os.Stat(filepath.Join(home, ".config", "ksm", "plugins", "ksm-storage-slots"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o755 {
		t.Errorf("installed with mode %v, want 0755", fi.Mode().Perm())
	}
}
