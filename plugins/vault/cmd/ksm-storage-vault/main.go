// Command ksm-storage-vault is ksm's HashiCorp Vault / OpenBao storage
// plugin: a profile's client config lives in a KV v2 secret, reached with a
// Vault token, AppRole or Kubernetes auth (`ksm profile setup --type=vault`).
// ksm starts it; it is not run by hand.
package main

import (
	"github.com/ksm-cli/ksm/plugins/vault/vaultstore"
	"github.com/ksm-cli/ksm/sdk"
)

// version is set by make build (-X main.version), as for every binary.
var version = ""

func main() {
	sdk.Serve(vaultstore.New(vaultstore.Options{Version: version, Log: sdk.Logger()}))
}
