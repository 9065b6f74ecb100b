package vaultstore

import (
	"os"
	"testing"

	"github.com/ksm-cli/ksm/plugins/vault/vaulttest"
)

// The tests that need Vault share one dev server, started on first use.
func TestMain(m *testing.M) { os.Exit(vaulttest.Main(m)) }
