// Package awsstore is the AWS Secrets Manager storage for ksm profiles:
// a profile's client config lives in a secret, reached with the EC2
// instance role, an AWS profile or access keys, as Keeper's reference CLI
// does with `ksm profile setup --type aws`.
package awsstore

import (
	"context"

	"github.com/hashicorp/go-hclog"

	"github.com/ksm-cli/ksm/sdk"
)

// Store implements sdk.Store on AWS Secrets Manager.
type Store struct {
	version string
	log     hclog.Logger
	connect connector
}

var _ sdk.Store = (*Store)(nil)

// Options configure a Store; the zero value is a working store.
type Options struct {
	// Version is what Describe reports (empty: the sdk reports the
	// module's version).
	Version string
	// Log gets debug lines, never a secret value; nil discards them.
	Log hclog.Logger
}

// New returns the store.
func New(o Options) *Store {
	log := o.Log
	if log == nil {
		log = hclog.NewNullLogger()
	}
	return &Store{version: o.Version, log: log, connect: sdkConnect}
}

// Describe is static: no network, no credentials.
func (s *Store) Describe(_ context.Context, _ *sdk.DescribeRequest) (*sdk.DescribeResponse, error) {
	return &sdk.DescribeResponse{Description: sdk.Description{
		Name:    "aws",
		Version: s.version,
		Summary: "AWS Secrets Manager, reached with the EC2 instance role, an AWS profile or access keys",
		Options: options(),
		CanSave: true,
		// The SDK reads AWS_REGION, AWS_PROFILE, AWS_CONFIG_FILE,
		// AWS_ENDPOINT_URL_*, AWS_EC2_METADATA_*, AWS_CA_BUNDLE, ...
		Env: []string{"AWS_*"},
	}}, nil
}

// Validate checks setup options and returns the keeper.ini settings. It
// makes no AWS call: setup may run where the secret is not reachable yet.
func (s *Store) Validate(_ context.Context, req *sdk.ValidateRequest) (*sdk.ValidateResponse, error) {
	t, err := validate(req.Options)
	if err != nil {
		return nil, err
	}
	return &sdk.ValidateResponse{Settings: t.settings()}, nil
}
