// Package awsstore is the AWS Secrets Manager storage for ksm profiles:
// a profile's client config lives in a secret, reached with the EC2
// instance role, an AWS profile or access keys, as Keeper's reference CLI
// does with `ksm profile setup --type aws`.
package awsstore

import (
	"context"

	"github.com/hashicorp/go-hclog"

	"github.com/ksm-cli/ksm/shared"
)

// Store implements shared.Store on AWS Secrets Manager.
type Store struct {
	version string
	log     hclog.Logger
	connect connector
}

var _ shared.Store = (*Store)(nil)

// New returns the store; version is what Describe reports; log gets debug
// lines (never a secret value) and may be nil.
func New(version string, log hclog.Logger) *Store {
	if log == nil {
		log = hclog.NewNullLogger()
	}
	return &Store{version: version, log: log, connect: sdkConnect}
}

// Describe is static: no network, no credentials.
func (s *Store) Describe(_ context.Context, _ *shared.DescribeRequest) (*shared.DescribeResponse, error) {
	return &shared.DescribeResponse{Description: shared.Description{
		Name:            "aws",
		Version:         s.version,
		ProtocolVersion: shared.ProtocolVersion,
		Summary:         "AWS Secrets Manager, reached with the EC2 instance role, an AWS profile or access keys",
		Options:         options(),
		CanSave:         true,
		// The SDK reads AWS_REGION, AWS_PROFILE, AWS_CONFIG_FILE,
		// AWS_ENDPOINT_URL_*, AWS_EC2_METADATA_*, AWS_CA_BUNDLE, ...
		Env: []string{"AWS_*"},
	}}, nil
}

// Validate checks setup options and returns the keeper.ini settings. It
// makes no AWS call: setup may run where the secret is not reachable yet.
func (s *Store) Validate(_ context.Context, req *shared.ValidateRequest) (*shared.ValidateResponse, error) {
	opts := req.Options
	t, err := validate(opts)
	if err != nil {
		return nil, err
	}
	return &shared.ValidateResponse{Settings: t.settings()}, nil
}
