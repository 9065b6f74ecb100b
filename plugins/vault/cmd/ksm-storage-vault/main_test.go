package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/ksm-cli/ksm/plugins/vault/vaulttest"
	"github.com/ksm-cli/ksm/sdk/storagetest"
	"github.com/ksm-cli/ksm/shared"
)

var binary string

// TestMain builds the plugin, runs the tests, and stops the package's
// Vault dev server (storagetest.Main would exit before that).
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ksm-storage-vault-test-")
	if err == nil {
		binary, err = storagetest.Build(dir, ".", "vault")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := vaulttest.Main(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// TestConformance runs ksm-storage-vault as ksm does (its own process, the
// reduced environment) through the whole contract, against a Vault dev
// server with token auth.
func TestConformance(t *testing.T) {
	v := vaulttest.Shared(t)
	env := []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"), "VAULT_TOKEN=" + vaulttest.RootToken}
	storagetest.Run(t, storagetest.Config{
		Binary:       binary,
		Env:          env,
		ValidOptions: map[string]string{"address": v.Addr, "path": "ksm/conformance"},
		InvalidOptions: []map[string]string{
			{"address": v.Addr, "path": "ksm/../../sys/policy/x"},
			{"address": "vault.corp:8200", "path": "ksm/x"},
			{"address": "https://user:pass@vault.corp", "path": "ksm/x"},
			{"address": v.Addr, "path": "ksm/x", "auth": "approle"},
			{"address": v.Addr, "path": "ksm/x", "auth": "kubernetes"},
			{"address": v.Addr, "path": "ksm/x", "role-id": "r"},
		},
		MissingSettings: shared.Settings{"address": v.Addr, "mount": "secret", "path": "ksm/conformance-missing", "auth": "token"},
	})
}
