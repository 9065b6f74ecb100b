package vaultstore

import (
	"context"

	"github.com/ksm-cli/ksm/sdk"
)

// Save writes the config's keys as the secret's fields, as a new KV v2
// version with check-and-set on the version it read: a concurrent change
// fails the save instead of being overwritten. It never replaces a secret
// that is not a ksm config unless req.Overwrite (--force); even then the
// old data stays in the secret's version history.
func (s *Store) Save(ctx context.Context, req *sdk.SaveRequest) (*sdk.SaveResponse, error) {
	t, err := parseSettings(req.Settings)
	if err != nil {
		return nil, err
	}
	if err := req.Config.Validate(); err != nil {
		return nil, sdk.Errorf(sdk.CodeInvalidArgument, "cannot save to Vault secret %s: %v", t.secretPath(), err)
	}
	fields := fieldsFromConfig(req.Config)
	err = s.run(ctx, opSave, t, func(ctx context.Context, sess *session) error {
		// Before any write: on a KV v1 mount the KV v2 path would silently
		// become a key of its own.
		if err := checkKV2(ctx, sess, t); err != nil {
			return err
		}
		cur, err := readKV(ctx, sess, t, true)
		if err != nil {
			return err
		}
		if cur.exists() {
			if sameFields(cur.data, fields) {
				s.log.Debug("the secret already holds this config", "secret", t.secretPath(), "version", cur.version)
				return nil
			}
			if _, err := configFromFields(cur.data); err != nil && !req.Overwrite {
				return &sdk.Error{Code: sdk.CodeFailedPrecondition,
					Message: "it holds something that is not a ksm config",
					Hint:    "use --force to write a new version over it (the old one stays in its history), or choose another --path"}
			}
		}
		if s.afterRead != nil {
			s.afterRead()
		}
		if err := writeKV(ctx, sess, t, fields, cur.version); err != nil {
			return err
		}
		s.log.Debug("saved the config to Vault", "secret", t.secretPath(), "after_version", cur.version)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &sdk.SaveResponse{}, nil
}
