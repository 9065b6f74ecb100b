// Command ksm-storage-file keeps a ksm profile's client config in a file of
// its own, e.g. a Kubernetes or Docker secret at /run/secrets/ksm-config.
package main

import (
	"github.com/ksm-cli/ksm/plugins/file/filestore"
	"github.com/ksm-cli/ksm/sdk"
)

func main() {
	sdk.Serve(filestore.New())
}
