// Package storecall calls a shared.Store the way this repository's tests
// want to: one value and an error, the request and response structs of the
// contract filled and unwrapped here. Plugin authors do not need it.
package storecall

import (
	"context"

	"github.com/ksm-cli/ksm/shared"
)

// Describe returns the store's description.
func Describe(ctx context.Context, s shared.Store) (*shared.Description, error) {
	resp, err := s.Describe(ctx, &shared.DescribeRequest{})
	if err != nil || resp == nil {
		return nil, err
	}
	return &resp.Description, nil
}

// Validate returns the settings the store makes of options.
func Validate(ctx context.Context, s shared.Store, options map[string]string) (shared.Settings, error) {
	resp, err := s.Validate(ctx, &shared.ValidateRequest{Options: options})
	if err != nil || resp == nil {
		return nil, err
	}
	return resp.Settings, nil
}

// Load returns the config the settings point at.
func Load(ctx context.Context, s shared.Store, settings shared.Settings) (shared.Config, error) {
	resp, err := s.Load(ctx, &shared.LoadRequest{Settings: settings})
	if err != nil || resp == nil {
		return nil, err
	}
	return resp.Config, nil
}

// Save saves req.Config where req.Settings point.
func Save(ctx context.Context, s shared.Store, req shared.SaveRequest) error {
	_, err := s.Save(ctx, &req)
	return err
}
