// Command ksm-storage-keyring keeps a ksm profile's client config in the
// OS keyring, in the layout Keeper's CLI 1.4 uses there.
package main

import (
	"github.com/ksm-cli/ksm/plugins/keyring/keyringstore"
	"github.com/ksm-cli/ksm/sdk"
)

// version is set by make build (-X main.version), as for every binary.
var version = ""

func main() {
	sdk.Serve(keyringstore.New(keyringstore.Options{Version: version}))
}
