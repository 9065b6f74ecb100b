package awsstore

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
)

// imdsBudget bounds all IMDS work of one attempt. IMDS answers in
// milliseconds on an instance; off one, the SDK's defaults (3 attempts, 5 s
// per operation, an IMDSv1 retry after a failed token) would add up to many
// seconds before the fallback or the error.
const imdsBudget = 3 * time.Second

// newIMDSClient is the SDK's IMDS client for cfg (so
// AWS_EC2_METADATA_SERVICE_ENDPOINT, AWS_EC2_METADATA_DISABLED and the
// shared config still apply) with two short-backoff attempts.
func newIMDSClient(cfg aws.Config) *imds.Client {
	return imds.NewFromConfig(cfg, func(o *imds.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = 2
			so.MaxBackoff = 200 * time.Millisecond
		})
		o.DisableDefaultMaxBackoff = true // keep our shorter one
	})
}

// imdsRegion asks IMDS for the instance's region, within imdsBudget.
func imdsRegion(ctx context.Context, c *imds.Client) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, imdsBudget)
	defer cancel()
	out, err := c.GetRegion(ctx, &imds.GetRegionInput{})
	if err != nil {
		return "", err
	}
	return out.Region, nil
}
