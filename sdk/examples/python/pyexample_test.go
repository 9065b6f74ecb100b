// Package pyexample tests the Python example plugin as ksm runs it: the
// conformance checks on the executable file, and the embedded protocol
// definitions against shared/proto.
package pyexample

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/internal/conformance"
	"github.com/ksm-cli/ksm/sdk/storagetest"
	"github.com/ksm-cli/ksm/shared"
)

const plugin = "ksm-storage-pyexample"

// needPython fails, naming what to install, when Debian's python3 lacks
// the packages the plugin imports.
func needPython(t *testing.T) {
	t.Helper()
	if out, err := exec.Command("/usr/bin/python3", "-c", "import grpc, google.protobuf, grpc_tools").CombinedOutput(); err != nil {
		t.Fatalf("the Python example needs /usr/bin/python3 with grpcio, protobuf and grpc-tools (make test-tools installs python3-grpcio python3-protobuf python3-grpc-tools): %v\n%s", err, out)
	}
}

func TestConformance(t *testing.T) {
	needPython(t)
	bin, err := filepath.Abs(plugin)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notes, []byte("not a config"), 0o600); err != nil {
		t.Fatal(err)
	}
	storagetest.Run(t, storagetest.Config{
		Binary: bin,
		Env:    []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir},
		Dir:    dir,
		// Relative to the working directory, which is ksm's.
		ValidOptions:    map[string]string{"path": "ksm.json"},
		InvalidOptions:  []map[string]string{{"path": ""}, {"path": dir}},
		MissingSettings: shared.Settings{"path": filepath.Join(dir, "missing.json")},
	})
}

// The embedded definitions are what generate.sh makes of shared/proto now.
func TestEmbeddedProtoIsCurrent(t *testing.T) {
	needPython(t)
	want, err := os.ReadFile(plugin)
	if err != nil {
		t.Fatal(err)
	}
	copy := filepath.Join(t.TempDir(), plugin)
	if err := os.WriteFile(copy, want, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("./generate.sh", copy).CombinedOutput(); err != nil {
		t.Fatalf("generate.sh: %v\n%s", err, out)
	}
	got, err := os.ReadFile(copy)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s embeds an old storage.proto: run sdk/examples/python/generate.sh and commit", plugin)
	}
}

// The checks catch a Python plugin's faults too: a print in Load (Python
// buffers stdout on a pipe) and a Load that sleeps past its deadline (a
// thread gRPC cannot stop). Each variant is the example with one change.
func TestChecksCatchPythonFaults(t *testing.T) {
	needPython(t)
	src, err := os.ReadFile(plugin)
	if err != nil {
		t.Fatal(err)
	}
	const load = "def load(request, context):\n"
	tests := []struct {
		name, inject, check, line string
	}{
		{"print", "    print('loading')\n", "NothingOnStdout", `bytes to stdout after the handshake, starting "loading`},
		{"sleep", "    import time\n    if context.time_remaining() < 1:\n        time.sleep(3600)\n", "DeadlinesAreHonoured", "a call outlived its deadline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if !bytes.Contains(src, []byte(load)) {
				t.Fatalf("%s has no %q", plugin, load)
			}
			dir := t.TempDir()
			bin := filepath.Join(dir, plugin)
			faulty := bytes.Replace(src, []byte(load), []byte(load+tt.inject), 1)
			if err := os.WriteFile(bin, faulty, 0o700); err != nil {
				t.Fatal(err)
			}
			suite, err := conformance.New(conformance.Config{
				Binary: bin, Env: []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}, Dir: dir,
				ValidOptions: map[string]string{"path": "ksm.json"},
			})
			if err != nil {
				t.Fatal(err)
			}
			defer suite.Close()
			var got *conformance.Result
			conformance.Run(suite.Checks(), func(r conformance.Result) {
				if r.Name == tt.check {
					got = &r
				}
			})
			if got == nil || !got.Failed() {
				t.Fatalf("%s passed a plugin with a %s in Load", tt.check, tt.name)
			}
			if !strings.Contains(strings.Join(got.Lines, "\n"), tt.line) {
				t.Errorf("%s: %q lacks %q", tt.check, got.Lines, tt.line)
			}
		})
	}
}
