package vaultstore

import (
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/ksm-cli/ksm/sdk"
)

// Setup option names (flags of `ksm profile setup --type=vault`).
const (
	optAddress      = "address"
	optNamespace    = "namespace"
	optMount        = "mount"
	optPath         = "path"
	optAuth         = "auth"
	optRoleID       = "role-id"
	optRole         = "role"
	optAuthMount    = "auth-mount"
	optSecretID     = "secret-id"
	optSecretIDFile = "secret-id-file"
	optJWTFile      = "jwt-file"
)

// Environment variables the store reads (the Vault client reads more).
const (
	envAddress   = "VAULT_ADDR"
	envNamespace = "VAULT_NAMESPACE"
	envToken     = "VAULT_TOKEN"
	envSecretID  = "VAULT_SECRET_ID"
)

// Auth methods, as --auth names them and keeper.ini stores them.
const (
	authToken      = "token"
	authAppRole    = "approle"
	authKubernetes = "kubernetes"
)

const (
	defaultMount = "secret"
	// defaultJWTFile is where Kubernetes mounts a pod's service-account token.
	defaultJWTFile = "/var/run/secrets/kubernetes.io/serviceaccount/token"
)

func options() []sdk.Option {
	return []sdk.Option{
		{Name: optAddress, Type: sdk.OptionString, Required: true, EnvVars: []string{envAddress},
			Usage: "Vault server address, e.g. https://vault.corp:8200 (default: $VAULT_ADDR)"},
		{Name: optNamespace, Type: sdk.OptionString, EnvVars: []string{envNamespace},
			Usage: "Vault Enterprise / HCP namespace (default: $VAULT_NAMESPACE)"},
		{Name: optMount, Type: sdk.OptionString, Default: defaultMount,
			Usage: "path of the KV version 2 secrets engine"},
		{Name: optPath, Type: sdk.OptionString, Required: true,
			Usage: "path of the secret inside the mount, e.g. ksm/prod"},
		{Name: optAuth, Type: sdk.OptionEnum, Default: authToken,
			Allowed: []string{authToken, authAppRole, authKubernetes},
			Usage:   "how to log in: a token ($VAULT_TOKEN or ~/.vault-token), AppRole, or a Kubernetes service account"},
		{Name: optRoleID, Type: sdk.OptionString,
			Usage: "AppRole role id (--auth approle)"},
		{Name: optRole, Type: sdk.OptionString,
			Usage: "Vault role to log in as (--auth kubernetes)"},
		{Name: optAuthMount, Type: sdk.OptionString,
			Usage: "path of the auth method (default: approle or kubernetes)"},
		{Name: optSecretID, Type: sdk.OptionString, Sensitive: true, EnvVars: []string{envSecretID},
			Usage: "AppRole secret id for setup only (never stored; later commands read $VAULT_SECRET_ID or --secret-id-file)"},
		{Name: optSecretIDFile, Type: sdk.OptionString,
			Usage: "absolute path of a file holding the AppRole secret id, read at each use"},
		{Name: optJWTFile, Type: sdk.OptionString,
			Usage: "service-account token file for --auth kubernetes (default: " + defaultJWTFile + ")"},
	}
}

// validate turns setup options into a target. It also returns an AppRole
// secret id given for setup (never part of the target's settings).
func validate(opts map[string]string) (target, string, error) {
	// Unknown options, required ones, the --auth enum; defaults applied.
	values, err := sdk.Parse(options(), opts)
	if err != nil {
		return target{}, "", err
	}
	v := map[string]string{}
	for k, val := range values {
		if k != optSecretID {
			val = strings.TrimSpace(val)
		}
		if strings.IndexFunc(val, unicode.IsControl) >= 0 {
			return target{}, "", invalid("--%s must not contain control characters", k)
		}
		v[k] = val
	}

	t := target{
		address:      v[optAddress],
		namespace:    v[optNamespace],
		mount:        v[optMount],
		path:         v[optPath],
		auth:         v[optAuth],
		roleID:       v[optRoleID],
		role:         v[optRole],
		authMount:    v[optAuthMount],
		secretIDFile: v[optSecretIDFile],
		jwtFile:      v[optJWTFile],
	}
	secretID := strings.TrimSpace(v[optSecretID])
	if t.address == "" || t.path == "" {
		return target{}, "", invalid("--address and --path are required")
	}
	// A secret id that only came from the environment was not asked for:
	// ksm fills --secret-id from VAULT_SECRET_ID whatever the method.
	if t.auth != authAppRole && secretID != "" && secretID == strings.TrimSpace(os.Getenv(envSecretID)) {
		secretID = ""
	}
	if err := t.checkOptions(secretID); err != nil {
		return target{}, "", err
	}
	if err := t.check(flagNames); err != nil {
		return target{}, "", err
	}
	return t, secretID, nil
}

// checkOptions applies the rules for which options go with which --auth.
func (t *target) checkOptions(secretID string) error {
	onlyWith := func(name, value, auth string) error {
		if value != "" && t.auth != auth {
			return invalid("--%s goes with --auth %s, not %s", name, auth, t.auth)
		}
		return nil
	}
	for _, c := range []struct{ name, value, auth string }{
		{optRoleID, t.roleID, authAppRole},
		{optSecretID, secretID, authAppRole},
		{optSecretIDFile, t.secretIDFile, authAppRole},
		{optRole, t.role, authKubernetes},
		{optJWTFile, t.jwtFile, authKubernetes},
	} {
		if err := onlyWith(c.name, c.value, c.auth); err != nil {
			return err
		}
	}
	switch t.auth {
	case authToken:
		if t.authMount != "" {
			return invalid("--auth-mount goes with --auth approle or kubernetes, not token")
		}
	case authAppRole:
		if t.roleID == "" {
			return invalid("--auth approle needs --role-id")
		}
		if secretID != "" && t.secretIDFile != "" {
			return invalid("give the AppRole secret id one way: --secret-id (or VAULT_SECRET_ID) or --secret-id-file, not both")
		}
		if secretID == "" && t.secretIDFile == "" {
			return invalid("--auth approle needs a secret id: set VAULT_SECRET_ID, give --secret-id - to read it from standard input, or --secret-id-file PATH")
		}
		if t.authMount == "" {
			t.authMount = authAppRole
		}
	case authKubernetes:
		if t.role == "" {
			return invalid("--auth kubernetes needs --role (the Vault role bound to the service account)")
		}
		if t.authMount == "" {
			t.authMount = authKubernetes
		}
	default:
		return invalid("--auth must be token, approle or kubernetes, not %q", t.auth)
	}
	for _, f := range []struct{ name, path string }{{optSecretIDFile, t.secretIDFile}, {optJWTFile, t.jwtFile}} {
		if f.path != "" && !filepath.IsAbs(f.path) {
			return invalid("--%s must be an absolute path (it is read again by every later command), not %q", f.name, f.path)
		}
	}
	return nil
}

func invalid(format string, args ...any) error {
	return sdk.Errorf(sdk.CodeInvalidArgument, format, args...)
}
