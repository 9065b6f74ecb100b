// Command ksm-storage-aws is ksm's AWS Secrets Manager storage plugin: a
// profile's client config lives in a secret, reached with the EC2 instance
// role, an AWS profile or access keys (`ksm profile setup --type aws`).
// ksm starts it; it is not run by hand.
package main

import (
	"github.com/ksm-cli/ksm/plugins/aws/awsstore"
	"github.com/ksm-cli/ksm/sdk"
)

// version is set at link time by `make build` (-X main.version=...), as for
// every binary of ksm; Serve reports the module's version when it is empty.
var version = ""

func main() {
	sdk.Serve(awsstore.New(awsstore.Options{Version: version, Log: sdk.Logger()}))
}
