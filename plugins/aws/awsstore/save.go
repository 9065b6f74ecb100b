package awsstore

import (
	"bytes"
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"

	"github.com/ksm-cli/ksm/sdk"
)

// secretDescription marks secrets the store creates.
const secretDescription = "Keeper Secrets Manager client config (written by ksm)"

// Save stores the config as 4-space-indented SDK JSON: it creates the
// secret if missing, else puts a new version, but never replaces a value
// that is not a ksm config unless req.Overwrite.
func (s *Store) Save(ctx context.Context, req *sdk.SaveRequest) (*sdk.SaveResponse, error) {
	t, err := parseSettings(req.Settings)
	if err != nil {
		return nil, err
	}
	if err := req.Config.Validate(); err != nil {
		return nil, sdk.Errorf(sdk.CodeInvalidArgument, "cannot save to AWS secret %q: %v", t.secret, err)
	}
	payload := sdk.MarshalConfig(req.Config)
	err = s.run(ctx, t, opSave, func(ctx context.Context, sess *session) error {
		return save(ctx, sess.api, t, payload, req.Overwrite)
	})
	if err != nil {
		return nil, err
	}
	return &sdk.SaveResponse{}, nil
}

func save(ctx context.Context, api SecretsAPI, t target, payload []byte, overwrite bool) error {
	put := func() error {
		_, err := api.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
			SecretId: aws.String(t.secret), SecretString: aws.String(string(payload))})
		return err
	}
	out, err := api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(t.secret)})
	switch {
	case err == nil:
		cur := secretValue(out)
		if bytes.Equal(cur, payload) {
			return nil // already there; no new version
		}
		if len(bytes.TrimSpace(cur)) > 0 && !overwrite {
			if _, perr := sdk.ParseConfig(cur); perr != nil {
				return &failure{code: sdk.CodeFailedPrecondition,
					reason: "it holds something that is not a ksm config",
					hint:   "use --force to overwrite it, or choose another --secret"}
			}
		}
		return put()
	case !hasCode(err, "ResourceNotFoundException"):
		return err
	case t.isARN():
		// An ARN names a secret that exists (perhaps with no value yet);
		// one cannot be created by ARN.
		err := put()
		if hasCode(err, "ResourceNotFoundException") {
			return &failure{code: sdk.CodeNotFound,
				reason: "no such secret, and a secret given by ARN cannot be created",
				hint:   "create it first, or give --secret a name so that ksm creates it"}
		}
		return err
	}
	_, err = api.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String(t.secret), SecretString: aws.String(string(payload)),
		Description: aws.String(secretDescription)})
	if hasCode(err, "ResourceExistsException") {
		return put() // it exists but has no current value
	}
	return err
}

func hasCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}
