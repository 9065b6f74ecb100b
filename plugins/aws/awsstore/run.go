package awsstore

import (
	"context"

	"github.com/ksm-cli/ksm/sdk"
)

// operation is what the store does with a secret, for messages and policy.
type operation struct {
	verb           string // "load" in "cannot load AWS secret ..."
	permissionHint string
	// fallback: the default credential chain may be tried. Writes never
	// fall back, as in the reference: another identity could create the
	// secret in an account or region nobody meant.
	fallback bool
}

var (
	opLoad = operation{verb: "load", fallback: true,
		permissionHint: "allow that identity secretsmanager:GetSecretValue on the secret (and kms:Decrypt on its key)"}
	opSave = operation{verb: "save to",
		permissionHint: "allow that identity secretsmanager:GetSecretValue, CreateSecret and PutSecretValue on the secret"}
)

// run performs fn with the target's credential method and, when that gets
// no credentials or is refused and the profile asks for it, once more with
// the default credential chain.
func (s *Store) run(ctx context.Context, t target, op operation, fn func(context.Context, *session) error) error {
	first, secrets := s.attempt(ctx, t, t.method, op, fn)
	if first == nil {
		return nil
	}
	var fb *failure
	if t.fallback && op.fallback && first.refused && ctx.Err() == nil {
		s.log.Debug("credential method failed; trying the default AWS credential chain",
			"secret", t.secret, "method", t.method, "code", first.code.String())
		var more []string
		fb, more = s.attempt(ctx, t, viaDefaultChain, op, fn)
		if fb == nil {
			s.log.Debug("the default AWS credential chain succeeded", "secret", t.secret)
			return nil
		}
		secrets = append(secrets, more...)
	}
	code, msg, hint := message(op, t, first, fb)
	secrets = append(secrets, t.keyID, t.secretKey)
	s.log.Debug("AWS secret operation failed", "secret", t.secret, "code", code.String())
	return sdk.NewError(code, sdk.Redact(msg, secrets...), sdk.Redact(hint, secrets...))
}

// attempt opens a session for one credential method and runs fn in it. It
// returns the credential values it saw, for redaction.
func (s *Store) attempt(ctx context.Context, t target, via string, op operation, fn func(context.Context, *session) error) (*failure, []string) {
	s.log.Debug("opening AWS session", "secret", t.secret, "method", via)
	sess, err := s.connect(ctx, t, via)
	if err != nil {
		return asFailure(ctx, err, op), nil
	}
	if err := fn(ctx, sess); err != nil {
		f := asFailure(ctx, err, op)
		if f.region == "" {
			f.region = sess.region
		}
		return f, sess.secrets
	}
	return nil, sess.secrets
}
