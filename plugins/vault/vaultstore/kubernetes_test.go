package vaultstore

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ksm-cli/ksm/internal/storecall"
	"github.com/ksm-cli/ksm/sdk/storagetest"
	"github.com/ksm-cli/ksm/shared"
)

// Kubernetes auth cannot run here (no cluster to review the JWT), so a
// local server stands in for Vault's login endpoint and KV read: this
// checks the request the Vault client sends with a fixed JWT file, and
// that the token it gets back is used for the read.
func TestKubernetesLogin(t *testing.T) {
	const jwt = "eyJhbGciOiJSUzI1NiJ9.ksm-test-service-account.c2lnbmF0dXJl"
	const vaultToken = "hvs.k8s-issued-token"
	jwtFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(jwtFile, []byte(jwt+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := storagetest.FakeConfig()
	var logins atomic.Int32
	var gotLogin map[string]any
	var gotNamespace string
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/auth/k8s-prod/login", func(w http.ResponseWriter, r *http.Request) {
		logins.Add(1)
		gotNamespace = r.Header.Get("X-Vault-Namespace")
		if r.Method != http.MethodPut && r.Method != http.MethodPost {
			http.Error(w, "method", http.StatusMethodNotAllowed)
			return
		}
		if r.Header.Get("X-Vault-Token") != "" {
			t.Errorf("login sent a token header")
		}
		_ = json.NewDecoder(r.Body).Decode(&gotLogin)
		if gotLogin["role"] != "ksm" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"errors":["invalid role name \"` + gotLogin["role"].(string) + `\""]}`))
			return
		}
		_, _ = w.Write([]byte(`{"auth":{"client_token":"` + vaultToken + `","accessor":"acc","policies":["ksm"],"lease_duration":300}}`))
	})
	mux.HandleFunc("/v1/secret/data/ksm/k8s", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Vault-Token") != vaultToken {
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"errors":["permission denied"]}`))
			return
		}
		body, _ := json.Marshal(map[string]any{"data": map[string]any{"data": cfg, "metadata": map[string]any{"version": 1}}})
		_, _ = w.Write(body)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	t.Setenv("VAULT_TOKEN", "some-other-token") // must not be used

	s := New(Options{})
	settings, err := storecall.Validate(context.Background(), s, map[string]string{"address": srv.URL, "path": "ksm/k8s",
		"auth": "kubernetes", "role": "ksm", "auth-mount": "k8s-prod", "jwt-file": jwtFile, "namespace": "team-a"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := storecall.Load(ctx, s, settings)
	if err != nil {
		t.Fatal(err)
	}
	if got[shared.KeyClientID] != cfg[shared.KeyClientID] {
		t.Errorf("loaded a different config")
	}
	if gotLogin["jwt"] != jwt || gotLogin["role"] != "ksm" || len(gotLogin) != 2 {
		t.Errorf("login body has keys %v; want exactly jwt (the file's, trimmed) and role", keysOf(gotLogin))
	}
	if gotNamespace != "team-a" {
		t.Errorf("login namespace %q, want team-a", gotNamespace)
	}

	// A role Vault does not know: one line naming the role and what to check.
	settings["role"] = "nobody"
	_, err = storecall.Load(ctx, s, settings)
	if shared.CodeOf(err) != shared.CodeUnauthenticated ||
		!strings.Contains(err.Error(), "refused the login at auth/k8s-prod/login as Kubernetes role nobody") ||
		!strings.Contains(err.Error(), "check --role") {
		t.Errorf("unknown role: %v", err)
	}
	if strings.Contains(err.Error(), jwt) {
		t.Errorf("error holds the JWT")
	}

	// No token file (not in a pod): said before any request.
	before := logins.Load()
	settings["role"] = "ksm"
	settings["jwt_file"] = filepath.Join(t.TempDir(), "none")
	_, err = storecall.Load(ctx, s, settings)
	if shared.CodeOf(err) != shared.CodeUnauthenticated || !strings.Contains(err.Error(), "no Kubernetes service-account token") {
		t.Errorf("missing JWT file: %v", err)
	}
	if logins.Load() != before {
		t.Errorf("a login was attempted without a JWT")
	}
}

func keysOf(m map[string]any) []string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	return k
}
