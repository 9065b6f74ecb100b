package vaultstore

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/internal/setupflags"
	"github.com/ksm-cli/ksm/internal/storecall"
	"github.com/ksm-cli/ksm/shared"
)

func TestDescribe(t *testing.T) {
	d, err := storecall.Describe(context.Background(), New(Options{Version: "test"}))
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "vault" || !d.CanSave || d.ProtocolVersion != 0 {
		t.Errorf("name %q, CanSave %v, protocol %d (sdk.Serve fills it)", d.Name, d.CanSave, d.ProtocolVersion)
	}
	d.ProtocolVersion = shared.ProtocolVersion // as sdk.Serve does
	if err := d.Check("vault", setupflags.ReservedNames()); err != nil {
		t.Errorf("description fails the contract's check: %v", err)
	}
	if !slices.Equal(d.Env, []string{"VAULT_*"}) {
		t.Errorf("Env = %v, want VAULT_*", d.Env)
	}
	var names []string
	byName := map[string]shared.Option{}
	for _, o := range d.Options {
		names = append(names, o.Name)
		byName[o.Name] = o
		if slices.Contains(setupflags.ReservedNames(), o.Name) {
			t.Errorf("option %s is reserved by profile setup", o.Name)
		}
		if o.Sensitive != (o.Name == optSecretID) {
			t.Errorf("option %s: sensitive = %v", o.Name, o.Sensitive)
		}
	}
	want := []string{"address", "namespace", "mount", "path", "auth", "role-id", "role", "auth-mount", "secret-id", "secret-id-file", "jwt-file"}
	if !slices.Equal(names, want) {
		t.Fatalf("options %v, want %v", names, want)
	}
	for name, env := range map[string]string{"address": "VAULT_ADDR", "namespace": "VAULT_NAMESPACE", "secret-id": "VAULT_SECRET_ID"} {
		if !slices.Equal(byName[name].EnvVars, []string{env}) {
			t.Errorf("%s: EnvVars %v, want %s", name, byName[name].EnvVars, env)
		}
	}
	if o := byName["auth"]; o.Default != "token" || !slices.Equal(o.Allowed, []string{"token", "approle", "kubernetes"}) {
		t.Errorf("auth: %+v", o)
	}
	if byName["mount"].Default != "secret" || !byName["path"].Required || !byName["address"].Required {
		t.Errorf("mount/path/address: %+v %+v %+v", byName["mount"], byName["path"], byName["address"])
	}
}

func TestValidate(t *testing.T) {
	const addr = "https://vault.corp:8200"
	base := func(kv ...string) map[string]string {
		m := map[string]string{"address": addr, "path": "ksm/prod"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		name     string
		env      string // VAULT_SECRET_ID
		opts     map[string]string
		want     shared.Settings // nil: an error is wanted
		wantErr  string
		secretID string
	}{
		{name: "token defaults", opts: base(),
			want: shared.Settings{"address": addr, "mount": "secret", "path": "ksm/prod", "auth": "token"}},
		{name: "slashes trimmed, namespace kept", opts: base("address", addr+"/", "mount", "/kv/", "path", "/ksm/prod/", "namespace", "team/a/"),
			want: shared.Settings{"address": addr, "mount": "kv", "path": "ksm/prod", "auth": "token", "namespace": "team/a"}},
		{name: "host passes every option, defaults filled",
			opts: base("mount", "secret", "auth", "token", "namespace", "", "role-id", "", "role", "", "auth-mount", "", "secret-id", "", "secret-id-file", "", "jwt-file", ""),
			want: shared.Settings{"address": addr, "mount": "secret", "path": "ksm/prod", "auth": "token"}},
		{name: "approle with a secret id (not persisted)", opts: base("auth", "approle", "role-id", "rid-1", "secret-id", "sid-1"),
			want:     shared.Settings{"address": addr, "mount": "secret", "path": "ksm/prod", "auth": "approle", "role_id": "rid-1", "auth_mount": "approle"},
			secretID: "sid-1"},
		{name: "approle with a secret id file", opts: base("auth", "approle", "role-id", "rid-1", "secret-id-file", "/run/secrets/sid", "auth-mount", "ci/approle"),
			want: shared.Settings{"address": addr, "mount": "secret", "path": "ksm/prod", "auth": "approle", "role_id": "rid-1",
				"auth_mount": "ci/approle", "secret_id_file": "/run/secrets/sid"}},
		{name: "kubernetes", opts: base("auth", "kubernetes", "role", "ksm"),
			want: shared.Settings{"address": addr, "mount": "secret", "path": "ksm/prod", "auth": "kubernetes", "role": "ksm", "auth_mount": "kubernetes"}},
		{name: "kubernetes with a JWT file", opts: base("auth", "kubernetes", "role", "ksm", "jwt-file", "/var/run/jwt"),
			want: shared.Settings{"address": addr, "mount": "secret", "path": "ksm/prod", "auth": "kubernetes", "role": "ksm",
				"auth_mount": "kubernetes", "jwt_file": "/var/run/jwt"}},
		{name: "VAULT_SECRET_ID filled in for token auth is ignored", env: "sid-env", opts: base("secret-id", "sid-env"),
			want: shared.Settings{"address": addr, "mount": "secret", "path": "ksm/prod", "auth": "token"}},
		{name: "unix socket", opts: base("address", "unix:///run/vault.sock"),
			want: shared.Settings{"address": "unix:///run/vault.sock", "mount": "secret", "path": "ksm/prod", "auth": "token"}},

		{name: "no address", opts: map[string]string{"path": "x"}, wantErr: "--address is required"},
		{name: "no path", opts: map[string]string{"address": addr}, wantErr: "--path is required"},
		{name: "unknown option", opts: base("token", "x"), wantErr: "unknown option --token"},
		{name: "bad auth", opts: base("auth", "ldap"), wantErr: "--auth must be one of token, approle, kubernetes"},
		{name: "address without scheme", opts: base("address", "vault.corp:8200"), wantErr: "must start with https://"},
		{name: "address with credentials", opts: base("address", "https://u:p@vault.corp"), wantErr: "must not hold a user name or password"},
		{name: "address with query", opts: base("address", "https://vault.corp/?x=1"), wantErr: "query"},
		{name: "path escaping the mount", opts: base("path", "ksm/../../sys/policy/x"), wantErr: `--path "ksm/../../sys/policy/x" is not a Vault path`},
		{name: "dot segment", opts: base("path", "ksm/./prod"), wantErr: "is not a Vault path"},
		{name: "empty segment", opts: base("path", "ksm//prod"), wantErr: "is not a Vault path"},
		{name: "only slashes", opts: base("path", "//"), wantErr: `--path "//" is not a Vault path`},
		{name: "only spaces", opts: base("path", "  "), wantErr: "--address and --path are required"},
		{name: "mount ..", opts: base("mount", ".."), wantErr: "--mount"},
		{name: "namespace ..", opts: base("namespace", "a/.."), wantErr: "--namespace"},
		{name: "newline in path", opts: base("path", "ksm\nprod"), wantErr: "--path must not contain control characters"},
		{name: "escape in address", opts: base("address", "https://vault\x1b[31m"), wantErr: "control characters"},
		{name: "role-id with token", opts: base("role-id", "r"), wantErr: "--role-id goes with --auth approle, not token"},
		{name: "secret-id given for token", opts: base("secret-id", "typed"), wantErr: "--secret-id goes with --auth approle"},
		{name: "role with approle", opts: base("auth", "approle", "role-id", "r", "secret-id", "s", "role", "x"), wantErr: "--role goes with --auth kubernetes"},
		{name: "auth-mount with token", opts: base("auth-mount", "approle"), wantErr: "--auth-mount goes with --auth approle or kubernetes"},
		{name: "approle without role id", opts: base("auth", "approle", "secret-id", "s"), wantErr: "--auth approle needs --role-id"},
		{name: "approle without secret id", opts: base("auth", "approle", "role-id", "r"), wantErr: "needs a secret id: set VAULT_SECRET_ID"},
		{name: "approle with two secret ids", opts: base("auth", "approle", "role-id", "r", "secret-id", "s", "secret-id-file", "/f"), wantErr: "not both"},
		{name: "relative secret id file", opts: base("auth", "approle", "role-id", "r", "secret-id-file", "sid.txt"), wantErr: "--secret-id-file must be an absolute path"},
		{name: "kubernetes without role", opts: base("auth", "kubernetes"), wantErr: "--auth kubernetes needs --role"},
		{name: "relative jwt file", opts: base("auth", "kubernetes", "role", "r", "jwt-file", "jwt"), wantErr: "--jwt-file must be an absolute path"},
		{name: "bad auth mount", opts: base("auth", "kubernetes", "role", "r", "auth-mount", "a//b"), wantErr: "--auth-mount"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(envSecretID, c.env)
			s := New(Options{})
			got, err := storecall.Validate(context.Background(), s, c.opts)
			if c.want == nil {
				if err == nil || shared.CodeOf(err) != shared.CodeInvalidArgument || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("got %v, %v; want invalid argument containing %q", got, err, c.wantErr)
				}
				if strings.Contains(err.Error(), "typed") {
					t.Errorf("error repeats the secret id: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, c.want) {
				t.Errorf("settings %v, want %v", got, c.want)
			}
			for k, v := range got {
				if c.secretID != "" && strings.Contains(k+v, c.secretID) {
					t.Errorf("settings hold the secret id under %s", k)
				}
			}
			tg, err := parseSettings(got)
			if err != nil {
				t.Fatalf("settings do not parse back: %v", err)
			}
			if !maps.Equal(tg.settings(), got) {
				t.Errorf("settings round trip: %v, want %v", tg.settings(), got)
			}
			if id := s.setupSecretID(tg); id != c.secretID {
				t.Errorf("setup secret id %q, want %q", id, c.secretID)
			}
		})
	}
}

func TestParseSettings(t *testing.T) {
	cases := []struct {
		name     string
		settings shared.Settings
		wantErr  string
	}{
		{"empty", shared.Settings{}, "has no vault settings"},
		{"no address", shared.Settings{"path": "p"}, "lacks the vault setting address"},
		{"no path", shared.Settings{"address": "https://v"}, "lacks the vault setting path"},
		{"approle without role id", shared.Settings{"address": "https://v", "path": "p", "auth": "approle"}, "role_id"},
		{"kubernetes without role", shared.Settings{"address": "https://v", "path": "p", "auth": "kubernetes"}, "role"},
		{"unknown auth", shared.Settings{"address": "https://v", "path": "p", "auth": "userpass"}, `auth = "userpass"`},
		{"hand-edited path escaping the mount", shared.Settings{"address": "https://v", "path": "../sys/x"}, "keeper.ini setting path"},
		{"control characters", shared.Settings{"address": "https://v", "path": "p", "namespace": "a\x1b"}, "keeper.ini setting namespace holds control characters"},
		{"bad address", shared.Settings{"address": "ftp://v", "path": "p"}, "keeper.ini setting address"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseSettings(c.settings)
			if shared.CodeOf(err) != shared.CodeInvalidArgument || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("got %v, want invalid argument containing %q", err, c.wantErr)
			}
		})
	}
	// Defaults for what older or hand-written sections leave out.
	tg, err := parseSettings(shared.Settings{"address": "http://127.0.0.1:8200", "path": "p", "auth": "AppRole", "role_id": "r"})
	if err != nil {
		t.Fatal(err)
	}
	if tg.mount != "secret" || tg.auth != "approle" || tg.authMount != "approle" {
		t.Errorf("defaults: %+v", tg)
	}
}
