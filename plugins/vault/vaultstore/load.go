package vaultstore

import (
	"context"

	"github.com/ksm-cli/ksm/sdk"
)

// Load reads the config from the secret the settings name.
func (s *Store) Load(ctx context.Context, req *sdk.LoadRequest) (*sdk.LoadResponse, error) {
	t, err := parseSettings(req.Settings)
	if err != nil {
		return nil, err
	}
	var cfg sdk.Config
	err = s.run(ctx, opLoad, t, func(ctx context.Context, sess *session) error {
		cur, err := readKV(ctx, sess, t, false)
		if err != nil {
			return err
		}
		if !cur.exists() {
			return cur.missingFailure(t)
		}
		cfg, err = configFromFields(cur.data)
		if err != nil {
			return &sdk.Error{Code: sdk.CodeInvalidArgument,
				Message: "it does not hold a ksm config (" + err.Error() + "; expected the SDK keys as fields, or one field \"config\" holding the SDK JSON or its base64)",
				Hint:    "check --path, or store a config there with `ksm profile setup --type=vault --from-profile NAME`"}
		}
		s.log.Debug("loaded the config from Vault", "secret", t.secretPath(), "version", cur.version)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &sdk.LoadResponse{Config: cfg}, nil
}
