package storagetest

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"

	"github.com/ksm-cli/ksm/shared"
)

// Build compiles the Go package pkg (e.g. "." or "./cmd/ksm-storage-x")
// into dir as ksm-storage-<typ> and returns its path. Call it from TestMain
// or a sync.Once: a build takes seconds.
func Build(dir, pkg, typ string) (string, error) {
	out := filepath.Join(dir, shared.BinaryPrefix+typ)
	if runtime.GOOS == "windows" {
		out += ".exe"
	}
	if msg, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, msg)
	}
	return out, nil
}

// FakeConfig is a well-formed client config with made-up values, for
// round trips.
func FakeConfig() shared.Config {
	return shared.Config{
		shared.KeyClientID:          "c3RvcmFnZXRlc3QtZmFrZS1jbGllbnQtaWQ=",
		shared.KeyPrivateKey:        "c3RvcmFnZXRlc3QtZmFrZS1wcml2YXRlLWtleQ==",
		shared.KeyAppKey:            "c3RvcmFnZXRlc3QtZmFrZS1hcHAta2V5",
		shared.KeyHostname:          "keepersecurity.com",
		shared.KeyServerPublicKeyID: "10",
		shared.KeyAppOwnerPublicKey: "c3RvcmFnZXRlc3QtZmFrZS1vd25lci1rZXk=",
	}
}
