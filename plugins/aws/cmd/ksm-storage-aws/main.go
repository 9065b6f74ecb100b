// Command ksm-storage-aws is ksm's AWS Secrets Manager storage plugin: a
// profile's client config lives in a secret, reached with the EC2 instance
// role, an AWS profile or access keys (`ksm profile setup --type aws`).
// ksm starts it; it is not run by hand.
package main

import (
	"github.com/ksm-cli/ksm/plugins/aws/awsstore"
	"github.com/ksm-cli/ksm/sdk"
)

func main() {
	sdk.Serve(awsstore.New(sdk.Logger()))
}
