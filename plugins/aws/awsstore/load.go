package awsstore

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ksm-cli/ksm/sdk"
)

// Load reads the config from the secret the settings name.
func (s *Store) Load(ctx context.Context, req *sdk.LoadRequest) (*sdk.LoadResponse, error) {
	t, err := parseSettings(req.Settings)
	if err != nil {
		return nil, err
	}
	var cfg sdk.Config
	err = s.run(ctx, t, opLoad, func(ctx context.Context, sess *session) error {
		out, err := sess.api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(t.secret)})
		if err != nil {
			return err
		}
		cfg, err = sdk.ParseConfig(secretValue(out))
		if err != nil {
			return notConfig(err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &sdk.LoadResponse{Config: cfg}, nil
}

// secretValue is the secret's current value, string or binary; nil if it
// has neither. The SDK has already decoded SecretBinary's wire base64.
func secretValue(out *secretsmanager.GetSecretValueOutput) []byte {
	switch {
	case out == nil:
		return nil
	case out.SecretString != nil:
		return []byte(*out.SecretString)
	default:
		return out.SecretBinary
	}
}

// notConfig says that a secret holds something else; ParseConfig's errors
// name keys, never values.
func notConfig(err error) *failure {
	return &failure{code: sdk.CodeInvalidArgument,
		reason: "it does not hold a ksm config (" + err.Error() + "; expected the SDK JSON or its base64)",
		hint:   "check --secret, or store a config there with `ksm profile setup --type aws --from-profile NAME`"}
}
