// Command ksm-storage-file keeps a ksm profile's client config in a file of
// its own, e.g. a Kubernetes or Docker secret at /run/secrets/ksm-config.
package main

import (
	"github.com/ksm-cli/ksm/plugins/file/filestore"
	"github.com/ksm-cli/ksm/sdk"
)

// version is set at link time by `make build` (-X main.version=...), as for
// every binary of ksm; Serve reports the module's version when it is empty.
var version = ""

func main() {
	sdk.Serve(filestore.New(filestore.Options{Version: version}))
}
