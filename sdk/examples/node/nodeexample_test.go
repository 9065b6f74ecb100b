// Package nodeexample tests the Node.js example plugin as ksm runs it: the
// conformance checks on the executable file, and its copy of the protocol
// definition against shared/proto.
package nodeexample

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/ksm-cli/ksm/sdk/storagetest"
	"github.com/ksm-cli/ksm/shared"
)

const plugin = "ksm-storage-nodeexample"

// needNode fails, naming what to install, when the interpreter the
// plugin's #! line names or its node_modules are missing.
func needNode(t *testing.T) {
	t.Helper()
	if out, err := exec.Command("/usr/bin/node", "--version").CombinedOutput(); err != nil {
		t.Fatalf("the Node.js example needs /usr/bin/node (make test-tools installs nodejs and npm): %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join("node_modules", "@grpc", "grpc-js", "package.json")); err != nil {
		t.Fatalf("the Node.js example needs its node_modules: run `npm ci --ignore-scripts` in sdk/examples/node (make test-tools does): %v", err)
	}
}

func TestConformance(t *testing.T) {
	needNode(t)
	bin, err := filepath.Abs(plugin)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	storagetest.Run(t, storagetest.Config{
		Binary: bin,
		Env:    []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir},
		Dir:    dir,
		// Relative to the working directory, which is ksm's.
		ValidOptions:    map[string]string{"path": "ksm.json"},
		InvalidOptions:  []map[string]string{{"path": ""}, {"path": dir}, {"path": "x.json", "color": "red"}},
		MissingSettings: shared.Settings{"path": filepath.Join(dir, "missing.json")},
	})
}

// The plugin loads storage.proto from beside itself: it must be the one in
// shared/proto (`make proto` copies it).
func TestProtoCopyIsCurrent(t *testing.T) {
	want, err := os.ReadFile("../../../shared/proto/storage/v1/storage.proto")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("storage.proto")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("sdk/examples/node/storage.proto is not shared/proto/storage/v1/storage.proto: run `make proto` and commit")
	}
}
