package vaultstore

import (
	"net/url"
	"strings"
	"unicode"

	"github.com/ksm-cli/ksm/sdk"
)

// keeper.ini keys of a vault profile section.
const (
	keyAddress      = "address"
	keyNamespace    = "namespace"
	keyMount        = "mount"
	keyPath         = "path"
	keyAuth         = "auth"
	keyRoleID       = "role_id"
	keyRole         = "role"
	keyAuthMount    = "auth_mount"
	keySecretIDFile = "secret_id_file"
	keyJWTFile      = "jwt_file"
)

// target is where a profile's config lives and how to log in to reach it.
// It holds no secret: tokens, secret ids and JWTs are read at each use.
type target struct {
	address   string
	namespace string
	mount     string // KV v2 mount, without slashes at either end
	path      string // secret path inside the mount
	auth      string // authToken, authAppRole or authKubernetes

	roleID       string // approle
	role         string // kubernetes
	authMount    string // approle, kubernetes
	secretIDFile string // approle, optional
	jwtFile      string // kubernetes, optional
}

// names says how messages name each field: as a flag at setup, as a
// keeper.ini key afterwards.
type names map[string]string

var (
	flagNames = names{keyAddress: "--" + optAddress, keyNamespace: "--" + optNamespace,
		keyMount: "--" + optMount, keyPath: "--" + optPath, keyAuthMount: "--" + optAuthMount}
	settingNames = names{keyAddress: "keeper.ini setting " + keyAddress, keyNamespace: "keeper.ini setting " + keyNamespace,
		keyMount: "keeper.ini setting " + keyMount, keyPath: "keeper.ini setting " + keyPath,
		keyAuthMount: "keeper.ini setting " + keyAuthMount}
)

// settings is the keeper.ini form of t.
func (t target) settings() sdk.Settings {
	s := sdk.Settings{keyAddress: t.address, keyMount: t.mount, keyPath: t.path, keyAuth: t.auth}
	put := func(k, v string) {
		if v != "" {
			s[k] = v
		}
	}
	put(keyNamespace, t.namespace)
	put(keyRoleID, t.roleID)
	put(keyRole, t.role)
	put(keyAuthMount, t.authMount)
	put(keySecretIDFile, t.secretIDFile)
	put(keyJWTFile, t.jwtFile)
	return s
}

// parseSettings reads a profile section, with the checks setup made: a
// hand-edited keeper.ini gets no further than a bad flag would.
func parseSettings(s sdk.Settings) (target, error) {
	if len(s) == 0 {
		return target{}, sdk.Errorf(sdk.CodeInvalidArgument,
			"the keeper.ini profile has no vault settings; run `ksm profile setup --type=vault` again")
	}
	get := func(k string) string { return strings.TrimSpace(s[k]) }
	t := target{
		address: get(keyAddress), namespace: get(keyNamespace), mount: get(keyMount), path: get(keyPath),
		auth: strings.ToLower(get(keyAuth)), roleID: get(keyRoleID), role: get(keyRole),
		authMount: get(keyAuthMount), secretIDFile: get(keySecretIDFile), jwtFile: get(keyJWTFile),
	}
	if t.auth == "" {
		t.auth = authToken
	}
	if t.mount == "" {
		t.mount = defaultMount
	}
	var missing []string
	if t.address == "" {
		missing = append(missing, keyAddress)
	}
	if t.path == "" {
		missing = append(missing, keyPath)
	}
	switch t.auth {
	case authToken:
	case authAppRole:
		if t.roleID == "" {
			missing = append(missing, keyRoleID)
		}
		if t.authMount == "" {
			t.authMount = authAppRole
		}
	case authKubernetes:
		if t.role == "" {
			missing = append(missing, keyRole)
		}
		if t.authMount == "" {
			t.authMount = authKubernetes
		}
	default:
		return target{}, sdk.Errorf(sdk.CodeInvalidArgument,
			"keeper.ini setting auth = %q is not token, approle or kubernetes; run `ksm profile setup --type=vault` again", t.auth)
	}
	if len(missing) > 0 {
		return target{}, sdk.Errorf(sdk.CodeInvalidArgument,
			"the keeper.ini profile lacks the vault setting %s; run `ksm profile setup --type=vault` again", strings.Join(missing, " and "))
	}
	for k, v := range s {
		if strings.IndexFunc(v, unicode.IsControl) >= 0 {
			return target{}, sdk.Errorf(sdk.CodeInvalidArgument,
				"keeper.ini setting %s holds control characters; run `ksm profile setup --type=vault` again", k)
		}
	}
	if err := t.check(settingNames); err != nil {
		return target{}, err
	}
	return t, nil
}

// check normalises and checks the address and the Vault paths; n names the
// fields in messages.
func (t *target) check(n names) error {
	addr, err := checkAddress(t.address)
	if err != nil {
		return invalid("%s %q %s", n[keyAddress], t.address, err.Error())
	}
	t.address = addr
	for _, p := range []struct {
		key      string
		value    *string
		optional bool
	}{
		{keyNamespace, &t.namespace, true},
		{keyMount, &t.mount, false},
		{keyPath, &t.path, false},
		{keyAuthMount, &t.authMount, true},
	} {
		clean, ok := cleanVaultPath(*p.value)
		if !ok || (clean == "" && !p.optional) {
			return invalid("%s %q is not a Vault path: give segments joined by '/', without empty, '.' or '..' segments", n[p.key], *p.value)
		}
		*p.value = clean
	}
	return nil
}

// checkAddress accepts what the Vault CLI does in VAULT_ADDR: an http or
// https URL (perhaps with a path prefix for a proxy), or unix://PATH. It
// refuses credentials in the URL, which would land in keeper.ini.
func checkAddress(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", errorString("is not a URL such as https://vault.corp:8200")
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return "", errorString("has no host; give a URL such as https://vault.corp:8200")
		}
	case "unix":
		if u.Host == "" && u.Path == "" {
			return "", errorString("names no socket; give unix:///path/to/vault.sock")
		}
	default:
		return "", errorString("must start with https:// (or http://, unix://)")
	}
	if u.User != nil {
		return "", errorString("must not hold a user name or password: they would be stored in keeper.ini")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", errorString("must not have a query or fragment")
	}
	return strings.TrimRight(s, "/"), nil
}

type errorString string

func (e errorString) Error() string { return string(e) }

// cleanVaultPath trims slashes at either end and refuses empty, "." and
// ".." segments: the Vault client cleans request paths, so "a/../../sys"
// would reach outside the mount.
func cleanVaultPath(s string) (string, bool) {
	s = strings.Trim(s, "/")
	if s == "" {
		return "", true
	}
	for _, seg := range strings.Split(s, "/") {
		if seg == "" || seg == "." || seg == ".." || strings.TrimSpace(seg) != seg {
			return "", false
		}
	}
	return s, true
}

// loginKey identifies an AppRole login, for the setup-time secret id.
func (t target) loginKey() string {
	return strings.Join([]string{t.address, t.namespace, t.authMount, t.roleID}, "\x00")
}

// secretPath is how messages name the secret: mount/path, as `vault kv get`
// takes it.
func (t target) secretPath() string { return t.mount + "/" + t.path }

// dataPath is the KV v2 API path of the secret.
func (t target) dataPath() string { return t.mount + "/data/" + t.path }
