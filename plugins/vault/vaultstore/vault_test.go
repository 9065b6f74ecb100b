package vaultstore

import (
	"context"
	"encoding/base64"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ksm-cli/ksm/internal/storecall"
	"github.com/ksm-cli/ksm/plugins/vault/vaulttest"
	"github.com/ksm-cli/ksm/sdk/storagetest"
	"github.com/ksm-cli/ksm/shared"
)

// These tests run against a real Vault dev server (vaulttest).

var paths atomic.Int64

// freshPath is a secret path no other test uses.
func freshPath(prefix string) string {
	return prefix + "/" + strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "-") + "-" + string(rune('a'+paths.Add(1)%26))
}

func callCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// tokenEnv isolates the test and gives it a Vault token.
func tokenEnv(t *testing.T, token string) {
	isolate(t)
	t.Setenv("VAULT_TOKEN", token)
}

func settingsFor(v *vaulttest.Server, path string, kv ...string) shared.Settings {
	s := shared.Settings{"address": v.Addr, "mount": "secret", "path": path, "auth": "token"}
	for i := 0; i+1 < len(kv); i += 2 {
		s[kv[i]] = kv[i+1]
	}
	return s
}

func fieldsOf(cfg shared.Config) map[string]any {
	m := map[string]any{}
	for k, v := range cfg {
		m[k] = v
	}
	return m
}

func wantFailure(t *testing.T, err error, code shared.Code, parts ...string) {
	t.Helper()
	if shared.CodeOf(err) != code || err == nil {
		t.Fatalf("got %v (%v), want %v", shared.CodeOf(err), err, code)
	}
	t.Logf("%v: %s", code, err)
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("message %q lacks %q", err.Error(), p)
		}
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("message is not one line: %q", err.Error())
	}
}

func TestVaultLoadShapes(t *testing.T) {
	v := vaulttest.Shared(t)
	tokenEnv(t, vaulttest.RootToken)
	cfg := storagetest.FakeConfig()
	sdkJSON := string(shared.MarshalConfig(cfg))
	cases := []struct {
		name string
		data map[string]any
	}{
		{"SDK keys as fields", fieldsOf(cfg)},
		{"config field with SDK JSON", map[string]any{"config": sdkJSON}},
		{"config field with base64", map[string]any{"config": base64.StdEncoding.EncodeToString([]byte(sdkJSON))}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := freshPath("shapes")
			v.Put(t, "secret", path, c.data)
			got, err := storecall.Load(callCtx(t), New(Options{}), settingsFor(v, path))
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, cfg) {
				t.Errorf("loaded config differs in keys %v", keysDiff(got, cfg))
			}
		})
	}
	t.Run("not a config", func(t *testing.T) {
		path := freshPath("shapes")
		v.Put(t, "secret", path, map[string]any{"username": "alice", "password": "hunter2-not-shown"})
		_, err := storecall.Load(callCtx(t), New(Options{}), settingsFor(v, path))
		wantFailure(t, err, shared.CodeInvalidArgument, "secret/"+path, "does not hold a ksm config", "missing clientId")
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("message holds a value")
		}
	})
	t.Run("missing", func(t *testing.T) {
		_, err := storecall.Load(callCtx(t), New(Options{}), settingsFor(v, "shapes/none"))
		wantFailure(t, err, shared.CodeNotFound, "no secret at secret/shapes/none", "--from-profile")
	})
	t.Run("deleted", func(t *testing.T) {
		path := freshPath("shapes")
		v.Put(t, "secret", path, fieldsOf(cfg))
		v.Delete(t, "secret", path)
		_, err := storecall.Load(callCtx(t), New(Options{}), settingsFor(v, path))
		wantFailure(t, err, shared.CodeNotFound, "the current version (1) of secret/"+path+" is deleted", "vault kv undelete -versions=1 secret/"+path)
	})
}

func keysDiff(a, b shared.Config) []string {
	var d []string
	for k := range a {
		if a[k] != b[k] {
			d = append(d, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			d = append(d, k)
		}
	}
	return d
}

func TestVaultSave(t *testing.T) {
	v := vaulttest.Shared(t)
	tokenEnv(t, vaulttest.RootToken)
	cfg := storagetest.FakeConfig()
	path := freshPath("save")
	settings := settingsFor(v, path)
	s := New(Options{})
	save := func(c shared.Config, force bool) error {
		return storecall.Save(callCtx(t), s, shared.SaveRequest{Settings: settings, Config: c, Overwrite: force})
	}

	if err := save(cfg, false); err != nil {
		t.Fatal(err)
	}
	if got := v.Get(t, "secret", path); !sameFields(got, fieldsOf(cfg)) {
		t.Errorf("Vault holds fields %v, want the SDK keys", keysOfAny(got))
	}
	// The same config again writes no new version.
	if err := save(cfg, false); err != nil {
		t.Fatal(err)
	}
	if ver := v.Version(t, "secret", path); ver != 1 {
		t.Errorf("version %d after saving the same config twice, want 1", ver)
	}
	changed := maps.Clone(cfg)
	changed[shared.KeyHostname] = "keepersecurity.eu"
	if err := save(changed, false); err != nil {
		t.Fatal(err)
	}
	if ver := v.Version(t, "secret", path); ver != 2 {
		t.Errorf("version %d, want 2", ver)
	}
	got, err := storecall.Load(callCtx(t), s, settings)
	if err != nil || got[shared.KeyHostname] != "keepersecurity.eu" {
		t.Fatalf("load after save: %v", err)
	}

	t.Run("check-and-set refuses a concurrent change", func(t *testing.T) {
		other := maps.Clone(cfg)
		other[shared.KeyHostname] = "keepersecurity.com.au"
		s.afterRead = func() { v.Put(t, "secret", path, map[string]any{"note": "written by someone else"}) }
		defer func() { s.afterRead = nil }()
		err := save(other, true)
		wantFailure(t, err, shared.CodeFailedPrecondition, "changed while ksm was saving", "check-and-set on version 2 failed", "nothing was overwritten")
		if got := v.Get(t, "secret", path); got["note"] != "written by someone else" {
			t.Errorf("the concurrent write was overwritten: %v", keysOfAny(got))
		}
	})
	t.Run("a secret that is not a ksm config needs force", func(t *testing.T) {
		p := freshPath("save")
		v.Put(t, "secret", p, map[string]any{"api-key": "unrelated"})
		st := settingsFor(v, p)
		err := storecall.Save(callCtx(t), s, shared.SaveRequest{Settings: st, Config: cfg})
		wantFailure(t, err, shared.CodeFailedPrecondition, "cannot save to Vault secret secret/"+p, "not a ksm config", "--force")
		if got := v.Get(t, "secret", p); got["api-key"] != "unrelated" {
			t.Fatal("the secret was changed")
		}
		if err := storecall.Save(callCtx(t), s, shared.SaveRequest{Settings: st, Config: cfg, Overwrite: true}); err != nil {
			t.Fatal(err)
		}
		if ver := v.Version(t, "secret", p); ver != 2 {
			t.Errorf("version %d, want 2 (the old one kept in history)", ver)
		}
	})
	t.Run("over a deleted version", func(t *testing.T) {
		p := freshPath("save")
		v.Put(t, "secret", p, fieldsOf(cfg))
		v.Delete(t, "secret", p)
		if err := storecall.Save(callCtx(t), s, shared.SaveRequest{Settings: settingsFor(v, p), Config: cfg}); err != nil {
			t.Fatal(err)
		}
		if ver := v.Version(t, "secret", p); ver != 2 {
			t.Errorf("version %d, want 2", ver)
		}
	})
	t.Run("concurrent saves never lose a write", func(t *testing.T) {
		p := freshPath("race")
		st := settingsFor(v, p)
		const n = 8
		errs := make(chan error, n)
		for i := range n {
			go func() {
				c := maps.Clone(cfg)
				c[shared.KeyHostname] = "host-" + string(rune('a'+i)) + ".example"
				errs <- storecall.Save(callCtx(t), New(Options{}), shared.SaveRequest{Settings: st, Config: c})
			}()
		}
		ok := 0
		for range n {
			err := <-errs
			switch {
			case err == nil:
				ok++
			case shared.CodeOf(err) == shared.CodeFailedPrecondition && strings.Contains(err.Error(), "check-and-set"):
			default:
				t.Errorf("save: %v", err)
			}
		}
		if ver := v.Version(t, "secret", p); ver != ok {
			t.Errorf("%d saves succeeded but the secret has %d versions", ok, ver)
		}
	})
}

func keysOfAny(m map[string]any) []string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	return k
}

func TestVaultAppRole(t *testing.T) {
	v := vaulttest.Shared(t)
	isolate(t)
	cfg := storagetest.FakeConfig()
	path := freshPath("ci")
	v.Put(t, "secret", path, fieldsOf(cfg))
	v.Put(t, "secret", path+"-other", fieldsOf(cfg))
	v.Policy(t, "ksm-ci-read", vaulttest.ReadPolicy("secret", path))
	role := v.AppRole(t, "approle", "ksm-ci-read")
	opts := map[string]string{"address": v.Addr, "path": path, "auth": "approle", "role-id": role.RoleID}

	t.Run("secret id given at setup (stdin) serves setup's load", func(t *testing.T) {
		s := New(Options{})
		settings, err := storecall.Validate(callCtx(t), s, with(opts, "secret-id", role.SecretID))
		if err != nil {
			t.Fatal(err)
		}
		for k, val := range settings {
			if strings.Contains(val, role.SecretID) {
				t.Fatalf("keeper.ini setting %s holds the secret id", k)
			}
		}
		if _, err := storecall.Load(callCtx(t), s, settings); err != nil {
			t.Fatal(err)
		}
		// A later command (a new plugin process) has no secret id.
		_, err = storecall.Load(callCtx(t), New(Options{}), settings)
		wantFailure(t, err, shared.CodeUnauthenticated, "no AppRole secret id", "VAULT_SECRET_ID")
	})
	t.Run("VAULT_SECRET_ID", func(t *testing.T) {
		t.Setenv("VAULT_SECRET_ID", role.SecretID)
		s := New(Options{})
		settings, err := storecall.Validate(callCtx(t), s, with(opts, "secret-id", role.SecretID))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := storecall.Load(callCtx(t), New(Options{}), settings); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("secret id file", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "secret-id")
		if err := os.WriteFile(f, []byte(role.SecretID+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		settings, err := storecall.Validate(callCtx(t), New(Options{}), with(opts, "secret-id-file", f))
		if err != nil {
			t.Fatal(err)
		}
		got, err := storecall.Load(callCtx(t), New(Options{}), settings)
		if err != nil || !maps.Equal(got, cfg) {
			t.Fatalf("load: %v", err)
		}
	})
	t.Run("read elsewhere is denied, naming path and capability", func(t *testing.T) {
		t.Setenv("VAULT_SECRET_ID", role.SecretID)
		settings := settingsFor(v, path+"-other", "auth", "approle", "role_id", role.RoleID, "auth_mount", "approle")
		_, err := storecall.Load(callCtx(t), New(Options{}), settings)
		wantFailure(t, err, shared.CodePermissionDenied, "permission denied on secret/data/"+path+"-other",
			`grant the token's policy "read" on path "secret/data/`+path+`-other"`)
	})
	t.Run("save with a read-only policy is denied, naming create and update", func(t *testing.T) {
		t.Setenv("VAULT_SECRET_ID", role.SecretID)
		changed := maps.Clone(cfg)
		changed[shared.KeyHostname] = "keepersecurity.eu"
		settings := settingsFor(v, path, "auth", "approle", "role_id", role.RoleID, "auth_mount", "approle")
		err := storecall.Save(callCtx(t), New(Options{}), shared.SaveRequest{Settings: settings, Config: changed})
		wantFailure(t, err, shared.CodePermissionDenied, `grant the token's policy "create" and "update" on path "secret/data/`+path+`"`)
	})
	t.Run("wrong secret id", func(t *testing.T) {
		t.Setenv("VAULT_SECRET_ID", "00000000-0000-0000-0000-000000000000")
		settings := settingsFor(v, path, "auth", "approle", "role_id", role.RoleID, "auth_mount", "approle")
		_, err := storecall.Load(callCtx(t), New(Options{}), settings)
		wantFailure(t, err, shared.CodeUnauthenticated, "Vault refused the login at auth/approle/login as AppRole role id "+role.RoleID, "--role-id")
		if strings.Contains(err.Error(), "00000000-0000") {
			t.Errorf("message holds the secret id")
		}
	})
	t.Run("wrong auth mount", func(t *testing.T) {
		t.Setenv("VAULT_SECRET_ID", role.SecretID)
		settings := settingsFor(v, path, "auth", "approle", "role_id", role.RoleID, "auth_mount", "no-such-approle")
		_, err := storecall.Load(callCtx(t), New(Options{}), settings)
		if shared.CodeOf(err) != shared.CodeNotFound && shared.CodeOf(err) != shared.CodeUnauthenticated {
			t.Fatalf("got %v (%v)", shared.CodeOf(err), err)
		}
		t.Log(err)
		if !strings.Contains(err.Error(), "auth/no-such-approle") || !strings.Contains(err.Error(), "--auth-mount") {
			t.Errorf("message %q does not point at --auth-mount", err)
		}
	})
}

func with(m map[string]string, kv ...string) map[string]string {
	out := maps.Clone(m)
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestVaultTokens(t *testing.T) {
	v := vaulttest.Shared(t)
	cfg := storagetest.FakeConfig()
	path := freshPath("tokens")
	v.Put(t, "secret", path, fieldsOf(cfg))
	settings := settingsFor(v, path)

	t.Run("a valid token whose policy denies", func(t *testing.T) {
		tokenEnv(t, v.Token(t, 0, "default"))
		_, err := storecall.Load(callCtx(t), New(Options{}), settings)
		wantFailure(t, err, shared.CodePermissionDenied, "permission denied on secret/data/"+path, `"read" on path "secret/data/`+path+`"`)
	})
	t.Run("an unknown token", func(t *testing.T) {
		tokenEnv(t, "hvs.CAESIunknown-token-for-the-test")
		_, err := storecall.Load(callCtx(t), New(Options{}), settings)
		wantFailure(t, err, shared.CodeUnauthenticated, "the Vault token is invalid or expired", "vault login")
		if strings.Contains(err.Error(), "unknown-token-for-the-test") {
			t.Error("message holds the token")
		}
	})
	t.Run("an expired token", func(t *testing.T) {
		v.Policy(t, "ksm-tokens-read", vaulttest.ReadPolicy("secret", path))
		tok := v.Token(t, time.Second, "ksm-tokens-read")
		tokenEnv(t, tok)
		// Poll until Vault has expired it (its TTL is a second).
		deadline := time.Now().Add(30 * time.Second)
		var err error
		for {
			_, err = storecall.Load(callCtx(t), New(Options{}), settings)
			if err != nil || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		wantFailure(t, err, shared.CodeUnauthenticated, "the Vault token is invalid or expired")
	})
}

func TestVaultMounts(t *testing.T) {
	v := vaulttest.Shared(t)
	tokenEnv(t, vaulttest.RootToken)
	cfg := storagetest.FakeConfig()
	kv1 := fmt.Sprintf("kv1-%d", paths.Add(1)) // the server outlives -count runs
	v.Mount(t, kv1, "kv", "1")
	v.Write(t, kv1+"/ksm/x", fieldsOf(cfg))

	t.Run("unknown mount", func(t *testing.T) {
		_, err := storecall.Load(callCtx(t), New(Options{}), settingsFor(v, "ksm/x", "mount", "nope"))
		wantFailure(t, err, shared.CodeNotFound, "no secrets engine is mounted at nope/", "--mount")
	})
	t.Run("KV v1 mount: load", func(t *testing.T) {
		_, err := storecall.Load(callCtx(t), New(Options{}), settingsFor(v, "ksm/x", "mount", kv1))
		wantFailure(t, err, shared.CodeFailedPrecondition, "the mount "+kv1+"/ is KV version 1", "vault kv enable-versioning "+kv1)
	})
	t.Run("KV v1 mount: save writes nothing", func(t *testing.T) {
		err := storecall.Save(callCtx(t), New(Options{}), shared.SaveRequest{Settings: settingsFor(v, "ksm/y", "mount", kv1), Config: cfg})
		wantFailure(t, err, shared.CodeFailedPrecondition, "KV version 1")
		sec, rerr := v.Client(t).Logical().ReadWithContext(callCtx(t), kv1+"/data/ksm/y")
		if rerr != nil || sec != nil {
			t.Errorf("something was written to the KV v1 mount: %v %v", sec, rerr)
		}
	})
	t.Run("mount given with a folder", func(t *testing.T) {
		_, err := storecall.Load(callCtx(t), New(Options{}), settingsFor(v, "x", "mount", "secret/ksm"))
		if err == nil {
			t.Fatal("loaded through a mount that does not exist")
		}
		t.Log(err)
		if !strings.Contains(err.Error(), "secret/ksm") {
			t.Errorf("message %q does not name the mount", err)
		}
	})
}

// A sealed Vault: a server of its own, sealed over the API.
func TestVaultSealed(t *testing.T) {
	v := vaulttest.Start(t)
	tokenEnv(t, vaulttest.RootToken)
	cfg := storagetest.FakeConfig()
	v.Put(t, "secret", "ksm/sealed", fieldsOf(cfg))
	v.Seal(t)
	_, err := storecall.Load(callCtx(t), New(Options{}), settingsFor(v, "ksm/sealed"))
	wantFailure(t, err, shared.CodeUnavailable, "Vault at "+v.Addr+" is sealed", "vault operator unseal")
	err = storecall.Save(callCtx(t), New(Options{}), shared.SaveRequest{Settings: settingsFor(v, "ksm/sealed"), Config: cfg})
	wantFailure(t, err, shared.CodeUnavailable, "is sealed")
	v.Unseal(t)
	// Unsealed, the dev server's in-memory data is back.
	if _, err := storecall.Load(callCtx(t), New(Options{}), settingsFor(v, "ksm/sealed")); err != nil {
		t.Fatalf("after unseal: %v", err)
	}
	// Stopped: unreachable.
	v.Stop()
	_, err = storecall.Load(callCtx(t), New(Options{}), settingsFor(v, "ksm/sealed"))
	wantFailure(t, err, shared.CodeUnavailable, "cannot reach Vault at "+v.Addr)
}
