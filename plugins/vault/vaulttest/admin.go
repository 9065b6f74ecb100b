package vaulttest

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

// Client is a root client for arranging things, not through ksm.
func (s *Server) Client(t testing.TB) *api.Client {
	t.Helper()
	cfg := api.DefaultConfig()
	cfg.Address = s.Addr
	cfg.MaxRetries = 0
	c, err := api.NewClient(cfg)
	if err != nil {
		t.Fatalf("vaulttest: client: %v", err)
	}
	c.SetToken(RootToken)
	c.ClearNamespace()
	return c
}

func ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 30*time.Second)
}

// Put writes a KV v2 secret (mount "secret" is the dev server's KV v2).
func (s *Server) Put(t testing.TB, mount, path string, data map[string]any) {
	t.Helper()
	c, cancel := ctx()
	defer cancel()
	if _, err := s.Client(t).KVv2(mount).Put(c, path, data); err != nil {
		t.Fatalf("vaulttest: put %s/%s: %v", mount, path, err)
	}
}

// Get reads a KV v2 secret's current fields; nil if there is none.
func (s *Server) Get(t testing.TB, mount, path string) map[string]any {
	t.Helper()
	c, cancel := ctx()
	defer cancel()
	sec, err := s.Client(t).KVv2(mount).Get(c, path)
	if err != nil {
		if strings.Contains(err.Error(), "secret not found") {
			return nil
		}
		t.Fatalf("vaulttest: get %s/%s: %v", mount, path, err)
	}
	return sec.Data
}

// Version is a KV v2 secret's current version.
func (s *Server) Version(t testing.TB, mount, path string) int {
	t.Helper()
	c, cancel := ctx()
	defer cancel()
	md, err := s.Client(t).KVv2(mount).GetMetadata(c, path)
	if err != nil {
		t.Fatalf("vaulttest: metadata %s/%s: %v", mount, path, err)
	}
	return md.CurrentVersion
}

// Delete soft-deletes a KV v2 secret's current version.
func (s *Server) Delete(t testing.TB, mount, path string) {
	t.Helper()
	c, cancel := ctx()
	defer cancel()
	if err := s.Client(t).KVv2(mount).Delete(c, path); err != nil {
		t.Fatalf("vaulttest: delete %s/%s: %v", mount, path, err)
	}
}

// Mount enables a secrets engine: typ "kv" with version "1" or "2".
func (s *Server) Mount(t testing.TB, path, typ, version string) {
	t.Helper()
	in := &api.MountInput{Type: typ}
	if version != "" {
		in.Options = map[string]string{"version": version}
	}
	c, cancel := ctx()
	defer cancel()
	if err := s.Client(t).Sys().MountWithContext(c, path, in); err != nil {
		t.Fatalf("vaulttest: mount %s: %v", path, err)
	}
}

// Write writes raw data at an API path (e.g. a KV v1 key).
func (s *Server) Write(t testing.TB, path string, data map[string]any) {
	t.Helper()
	c, cancel := ctx()
	defer cancel()
	if _, err := s.Client(t).Logical().WriteWithContext(c, path, data); err != nil {
		t.Fatalf("vaulttest: write %s: %v", path, err)
	}
}

// Policy writes an ACL policy.
func (s *Server) Policy(t testing.TB, name, hcl string) {
	t.Helper()
	c, cancel := ctx()
	defer cancel()
	if err := s.Client(t).Sys().PutPolicyWithContext(c, name, hcl); err != nil {
		t.Fatalf("vaulttest: policy %s: %v", name, err)
	}
}

// ReadPolicy is HCL granting read on one KV v2 secret (mount/path).
func ReadPolicy(mount, path string) string {
	return fmt.Sprintf("path %q {\n  capabilities = [\"read\"]\n}\n", mount+"/data/"+path)
}

// Token creates a token with the policies and TTL (0: the default).
func (s *Server) Token(t testing.TB, ttl time.Duration, policies ...string) string {
	t.Helper()
	req := &api.TokenCreateRequest{Policies: policies, NoDefaultPolicy: false}
	if ttl > 0 {
		req.TTL = ttl.String()
		req.ExplicitMaxTTL = ttl.String()
	}
	c, cancel := ctx()
	defer cancel()
	sec, err := s.Client(t).Auth().Token().CreateWithContext(c, req)
	if err != nil {
		t.Fatalf("vaulttest: create token: %v", err)
	}
	return sec.Auth.ClientToken
}

var roles atomic.Int64

// AppRole is a role of an AppRole auth method.
type AppRole struct {
	Mount, Name, RoleID, SecretID string
}

// AppRole enables AppRole at mount (once), creates a role with the
// policies, and returns its role id and a new secret id.
func (s *Server) AppRole(t testing.TB, mount string, policies ...string) AppRole {
	t.Helper()
	c, cancel := ctx()
	defer cancel()
	cl := s.Client(t)
	auths, err := cl.Sys().ListAuthWithContext(c)
	if err != nil {
		t.Fatalf("vaulttest: list auth: %v", err)
	}
	if _, ok := auths[mount+"/"]; !ok {
		// Another test may enable it meanwhile.
		err := cl.Sys().EnableAuthWithOptionsWithContext(c, mount, &api.EnableAuthOptions{Type: "approle"})
		if err != nil && !strings.Contains(err.Error(), "path is already in use") {
			t.Fatalf("vaulttest: enable approle at %s: %v", mount, err)
		}
	}
	name := fmt.Sprintf("role%d", roles.Add(1))
	if _, err := cl.Logical().WriteWithContext(c, "auth/"+mount+"/role/"+name, map[string]any{
		"token_policies": strings.Join(policies, ","), "token_ttl": "5m",
	}); err != nil {
		t.Fatalf("vaulttest: create role: %v", err)
	}
	rid, err := cl.Logical().ReadWithContext(c, "auth/"+mount+"/role/"+name+"/role-id")
	if err != nil {
		t.Fatalf("vaulttest: read role id: %v", err)
	}
	sid, err := cl.Logical().WriteWithContext(c, "auth/"+mount+"/role/"+name+"/secret-id", nil)
	if err != nil {
		t.Fatalf("vaulttest: create secret id: %v", err)
	}
	return AppRole{Mount: mount, Name: name, RoleID: rid.Data["role_id"].(string), SecretID: sid.Data["secret_id"].(string)}
}

// Seal seals the server (tests with a server of their own only).
func (s *Server) Seal(t testing.TB) {
	t.Helper()
	c, cancel := ctx()
	defer cancel()
	if err := s.Client(t).Sys().SealWithContext(c); err != nil {
		t.Fatalf("vaulttest: seal: %v", err)
	}
}

// Unseal unseals it again with the dev server's unseal key.
func (s *Server) Unseal(t testing.TB) {
	t.Helper()
	c, cancel := ctx()
	defer cancel()
	st, err := s.Client(t).Sys().UnsealWithContext(c, s.UnsealKey)
	if err != nil || st.Sealed {
		t.Fatalf("vaulttest: unseal: %v", err)
	}
}
