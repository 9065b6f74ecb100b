package vaultstore

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/hashicorp/vault/api"

	"github.com/ksm-cli/ksm/sdk"
)

// operation names what the store does, in "cannot load Vault secret ...".
type operation string

const (
	opLoad operation = "load"
	opSave operation = "save to"
)

// run logs in and performs fn, and turns any failure into one line that
// names the secret, the address, what went wrong and what to do.
func (s *Store) run(ctx context.Context, op operation, t target, fn func(context.Context, *session) error) error {
	if f := ctxFailure(ctx, t); f != nil {
		return s.fail(op, t, f, nil)
	}
	sess, err := s.connect(ctx, t)
	if err != nil {
		var secrets []string
		if sess != nil {
			secrets = sess.secrets
		}
		return s.fail(op, t, classify(ctx, t, request{}, err), secrets)
	}
	err = fn(ctx, sess)
	if err == nil {
		return nil
	}
	f := classify(ctx, t, request{}, err)
	if f.Code == sdk.CodePermissionDenied && t.auth == authToken {
		f = s.explainDenied(ctx, t, sess, f)
	}
	return s.fail(op, t, f, sess.secrets)
}

// explainDenied tells an invalid or expired token from a policy that
// denies: Vault answers 403 for both, but a valid token may always look
// itself up.
func (s *Store) explainDenied(ctx context.Context, t target, sess *session, denied *sdk.Error) *sdk.Error {
	_, err := sess.client.Auth().Token().LookupSelfWithContext(ctx)
	var re *api.ResponseError
	if err != nil && ctx.Err() == nil && errors.As(err, &re) && re.StatusCode == http.StatusForbidden {
		return &sdk.Error{Code: sdk.CodeUnauthenticated,
			Message: "the Vault token is invalid or expired (" + vaultErrors(re) + ")",
			Hint:    "run `vault login` again or set VAULT_TOKEN to a valid token"}
	}
	return denied
}

func (s *Store) fail(op operation, t target, f *sdk.Error, secrets []string) error {
	var b strings.Builder
	b.WriteString("cannot " + string(op) + " Vault secret " + t.secretPath() + " at " + t.address)
	if t.namespace != "" {
		b.WriteString(" (namespace " + t.namespace + ")")
	}
	b.WriteString(": " + f.Message)
	s.log.Debug("Vault operation failed", "secret", t.secretPath(), "address", t.address, "auth", t.auth, "code", f.Code.String())
	return sdk.NewError(f.Code, sdk.Redact(b.String(), secrets...), sdk.Redact(f.Hint, secrets...))
}
