package storagetest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/ksm-cli/ksm/shared"
)

// Build compiles the Go package pkg (e.g. "." or "./cmd/ksm-storage-x")
// into dir as ksm-storage-<typ> and returns its path. goflags go to `go
// build` before the package, e.g. "-tags", "gpg", "-ldflags", "-X
// main.version=1.2.3". Call it from TestMain (see Main): a build takes
// seconds.
func Build(dir, pkg, typ string, goflags ...string) (string, error) {
	out := filepath.Join(dir, shared.BinaryPrefix+typ)
	if runtime.GOOS == "windows" {
		out += ".exe"
	}
	args := append(append([]string{"build", "-o", out}, goflags...), pkg)
	if msg, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, msg)
	}
	return out, nil
}

// Main is a plugin test package's TestMain: it builds the plugin in pkg
// (usually ".") as ksm-storage-<typ> into a temp dir, with goflags as
// Build takes them, sets *binary to its path, runs the tests and removes
// the dir.
//
//	func TestMain(m *testing.M) { storagetest.Main(m, ".", "env", &binary) }
func Main(m *testing.M, pkg, typ string, binary *string, goflags ...string) {
	dir, err := os.MkdirTemp("", "ksm-storage-"+typ+"-test-")
	if err == nil {
		*binary, err = Build(dir, pkg, typ, goflags...)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}
