package storagetest

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/ksm-cli/ksm/shared"
)

// TestPreviousSDKPlugin: a plugin built against the sdk of commit 00475f8
// (frozen in testdata/previous, before the contract took request and
// response structs) still passes the whole contract as this ksm checks it.
// Its binary stands for the plugins outside authors have already shipped:
// a change of the wire or the handshake that breaks them fails here.
func TestPreviousSDKPlugin(t *testing.T) {
	bin := filepath.Join(t.TempDir(), shared.BinaryPrefix+"previous")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = filepath.Join("testdata", "previous")
	// Its own module: not part of a workspace, and never updated.
	build.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the previous sdk's plugin: %v\n%s", err, out)
	}
	sample := FakeConfig()
	config := string(shared.MarshalConfig(sample))
	Run(t, Config{
		Binary: bin,
		Env: []string{
			"KSM_EXAMPLE_CONFIG=" + config,
			"KSM_EXAMPLE_B64=" + base64.StdEncoding.EncodeToString([]byte(config)),
		},
		ValidOptions: map[string]string{"variable": "KSM_EXAMPLE_CONFIG"},
		InvalidOptions: []map[string]string{
			{"variable": "HOME"},
			{"variable": ""},
		},
		MissingSettings: shared.Settings{"variable": "KSM_EXAMPLE_UNSET"},
		SampleConfig:    sample,
	})
}
