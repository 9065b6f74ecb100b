package vaultstore

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/hashicorp/vault/api"
	"github.com/hashicorp/vault/api/auth/approle"
	"github.com/hashicorp/vault/api/auth/kubernetes"

	"github.com/ksm-cli/ksm/sdk"
)

// session is a logged-in Vault client for one operation.
type session struct {
	client *api.Client
	// secrets are the credential values in use, kept out of every message.
	secrets []string
}

// tokenFile is where the vault CLI's default token helper keeps the token
// of `vault login`.
const tokenFile = ".vault-token"

// connect builds a Vault client the way the vault CLI does (the VAULT_*
// TLS, retry and proxy variables), pointed at the target's address and
// namespace, and logs in with the target's method. On a failed login the
// session is still returned: its secrets are what messages must not show.
func (s *Store) connect(ctx context.Context, t target) (*session, error) {
	cfg := api.DefaultConfig()
	if cfg.Error != nil {
		return nil, &sdk.Error{Code: sdk.CodeFailedPrecondition,
			Message: "cannot set up the Vault client from the environment (" + sdk.OneLine(cfg.Error.Error()) + ")",
			Hint:    "fix VAULT_CACERT, VAULT_CAPATH, VAULT_CLIENT_CERT/VAULT_CLIENT_KEY or the other VAULT_* variables"}
	}
	cfg.Address = t.address
	// The client retries 5xx answers (a sealed Vault among them) for
	// seconds; a CLI call should fail at once and say why, unless the user
	// asks for retries.
	if os.Getenv(api.EnvVaultMaxRetries) == "" {
		cfg.MaxRetries = 0
	}
	client, err := api.NewClient(cfg)
	if err != nil {
		return nil, &sdk.Error{Code: sdk.CodeFailedPrecondition,
			Message: "cannot set up the Vault client (" + sdk.OneLine(err.Error()) + ")",
			Hint:    "check --address and the VAULT_* variables"}
	}
	// Requests go to the client's own origin only, answers are bounded.
	guardClient(cfg.HttpClient, client.Address())
	// keeper.ini decides where the profile lives, not the environment.
	client.ClearToken()
	if t.namespace != "" {
		client.SetNamespace(t.namespace)
	} else {
		client.ClearNamespace()
	}
	sess := &session{client: client}
	s.log.Debug("connecting to Vault", "address", t.address, "namespace", t.namespace, "auth", t.auth)
	switch t.auth {
	case authToken:
		tok, err := token()
		if err != nil {
			return nil, err
		}
		client.SetToken(tok)
		sess.secrets = append(sess.secrets, tok)
	case authAppRole:
		if err := s.loginAppRole(ctx, t, sess); err != nil {
			return sess, err
		}
	case authKubernetes:
		if err := loginKubernetes(ctx, t, sess, s.jwtFile(t)); err != nil {
			return sess, err
		}
	}
	return sess, nil
}

// token is VAULT_TOKEN, else the token `vault login` left in ~/.vault-token.
func token() (string, error) {
	if tok := strings.TrimSpace(os.Getenv(envToken)); tok != "" {
		if strings.ContainsFunc(tok, func(r rune) bool { return !unicode.IsPrint(r) }) {
			return "", &sdk.Error{Code: sdk.CodeUnauthenticated, Message: "VAULT_TOKEN holds non-printable characters",
				Hint: "set VAULT_TOKEN to the token alone"}
		}
		return tok, nil
	}
	noToken := &sdk.Error{Code: sdk.CodeUnauthenticated, Message: "no Vault token",
		Hint: "set VAULT_TOKEN or run `vault login` (which writes ~/.vault-token)"}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", noToken
	}
	path := filepath.Join(home, tokenFile)
	if _, err := os.Lstat(path); os.IsNotExist(err) {
		return "", noToken
	}
	tok, err := readSecretFile(path)
	if err != nil {
		noToken.Message = "no usable Vault token (" + err.Error() + ")"
		return "", noToken
	}
	return tok, nil
}

// loginAppRole logs in with the role id and a secret id from, in order:
// --secret-id-file, the secret id given at setup, VAULT_SECRET_ID.
func (s *Store) loginAppRole(ctx context.Context, t target, sess *session) error {
	var secretID string
	switch {
	case t.secretIDFile != "":
		id, err := readSettingFile(t.secretIDFile)
		if err != nil {
			return &sdk.Error{Code: sdk.CodeUnauthenticated, Message: "no AppRole secret id: " + err.Error(),
				Hint: "put the secret id in that file, or run `ksm profile setup --type=vault` again with another --secret-id-file"}
		}
		secretID = id
	case s.setupSecretID(t) != "":
		secretID = s.setupSecretID(t)
	default:
		secretID = strings.TrimSpace(os.Getenv(envSecretID))
	}
	if secretID == "" {
		return &sdk.Error{Code: sdk.CodeUnauthenticated, Message: "no AppRole secret id",
			Hint: "set VAULT_SECRET_ID, or run `ksm profile setup --type=vault` again with --secret-id-file"}
	}
	sess.secrets = append(sess.secrets, secretID)
	auth, err := approle.NewAppRoleAuth(t.roleID, &approle.SecretID{FromString: secretID}, approle.WithMountPath(t.authMount))
	if err != nil {
		return &sdk.Error{Code: sdk.CodeInvalidArgument, Message: "cannot set up AppRole login (" + sdk.OneLine(err.Error()) + ")"}
	}
	return login(ctx, t, sess, auth, "AppRole role id "+t.roleID)
}

// jwtFile is the service-account token file of a kubernetes target.
func (s *Store) jwtFile(t target) string {
	if t.jwtFile != "" {
		return t.jwtFile
	}
	return defaultJWTFile
}

// loginKubernetes logs in with the pod's service-account token.
func loginKubernetes(ctx context.Context, t target, sess *session, path string) error {
	jwt, err := readSettingFile(path)
	if err != nil {
		return &sdk.Error{Code: sdk.CodeUnauthenticated, Message: "no Kubernetes service-account token: " + err.Error(),
			Hint: "run in a pod with a service-account token mounted, or give --jwt-file"}
	}
	if !looksLikeJWT(jwt) {
		return &sdk.Error{Code: sdk.CodeUnauthenticated,
			Message: "no Kubernetes service-account token: " + path + " does not hold a JWT, so ksm does not send it",
			Hint:    "give --jwt-file the service-account token file (three base64url parts joined by dots)"}
	}
	sess.secrets = append(sess.secrets, jwt)
	auth, err := kubernetes.NewKubernetesAuth(t.role, kubernetes.WithServiceAccountToken(jwt), kubernetes.WithMountPath(t.authMount))
	if err != nil {
		return &sdk.Error{Code: sdk.CodeInvalidArgument, Message: "cannot set up Kubernetes login (" + sdk.OneLine(err.Error()) + ")"}
	}
	return login(ctx, t, sess, auth, "Kubernetes role "+t.role)
}

// login runs an auth method's login and explains a refusal.
func login(ctx context.Context, t target, sess *session, auth api.AuthMethod, who string) error {
	loginPath := "auth/" + t.authMount + "/login"
	secret, err := sess.client.Auth().Login(ctx, auth)
	if err != nil {
		return loginFailure(ctx, t, loginPath, who, err)
	}
	if secret == nil || secret.Auth == nil || secret.Auth.ClientToken == "" {
		return &sdk.Error{Code: sdk.CodeUnauthenticated, Message: "the login at " + loginPath + " gave no token",
			Hint: "check the auth method's configuration (MFA is not supported)"}
	}
	sess.secrets = append(sess.secrets, secret.Auth.ClientToken, secret.Auth.Accessor)
	return nil
}

// loginFailure explains a failed login. Vault answers a wrong role or
// credential with 400 or 403, and an auth mount that does not exist with
// 403 or 404 ("no handler for route").
func loginFailure(ctx context.Context, t target, loginPath, who string, err error) *sdk.Error {
	var re *api.ResponseError
	if ctx.Err() != nil || !errors.As(err, &re) {
		return classify(ctx, t, request{path: loginPath, capabilities: []string{"update"}}, err)
	}
	detail := vaultErrors(re)
	switch {
	case containsAny(detail, "no handler for route"):
		return &sdk.Error{Code: sdk.CodeNotFound, Message: "no auth method is enabled at auth/" + t.authMount + "/ (" + detail + ")",
			Hint: "check --auth-mount (`vault auth list` shows the auth methods)" + namespaceHint(t)}
	case re.StatusCode == http.StatusBadRequest || re.StatusCode == http.StatusForbidden:
		f := &sdk.Error{Code: sdk.CodeUnauthenticated,
			Message: "Vault refused the login at " + loginPath + " as " + who + " (" + detail + ")"}
		if t.auth == authAppRole {
			f.Hint = "check --role-id and the secret id (VAULT_SECRET_ID or --secret-id-file): it may be wrong, expired or used up"
		} else {
			f.Hint = "check --role, and that the role is bound to this service account and its namespace"
		}
		if re.StatusCode == http.StatusForbidden {
			f.Hint += "; Vault answers so too when no auth method is enabled at auth/" + t.authMount + "/: check --auth-mount (`vault auth list`)"
		}
		return f
	}
	return classify(ctx, t, request{path: loginPath, capabilities: []string{"update"}}, err)
}
