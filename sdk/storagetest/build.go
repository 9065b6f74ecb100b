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

// Main is a plugin test package's TestMain: it builds the plugin in pkg
// (usually ".") as ksm-storage-<typ> into a temp dir, sets *binary to its
// path, runs the tests and removes the dir.
//
//	func TestMain(m *testing.M) { storagetest.Main(m, ".", "env", &binary) }
func Main(m *testing.M, pkg, typ string, binary *string) {
	dir, err := os.MkdirTemp("", "ksm-storage-"+typ+"-test-")
	if err == nil {
		*binary, err = Build(dir, pkg, typ)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}
