package vaultstore

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ksm-cli/ksm/internal/storecall"
	"github.com/ksm-cli/ksm/sdk/storagetest"
	"github.com/ksm-cli/ksm/shared"
)

const testToken = "hvs.faults-test-token"

// kvHandler answers a KV v2 read of secret/data/ksm/x with a config, for
// the given token only.
func kvHandler(t *testing.T) http.Handler {
	cfg := storagetest.FakeConfig()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/secret/data/ksm/x" || r.Header.Get("X-Vault-Token") != testToken {
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"errors":["permission denied"]}`))
			return
		}
		body, _ := json.Marshal(map[string]any{"data": map[string]any{"data": cfg, "metadata": map[string]any{"version": 3}}})
		_, _ = w.Write(body)
	})
}

// isolate gives the test an empty HOME and no VAULT_* variables.
func isolate(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "VAULT_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	return home
}

func load(t *testing.T, addr string, timeout time.Duration) (shared.Config, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return storecall.Load(ctx, New(Options{}), shared.Settings{"address": addr, "path": "ksm/x"})
}

// The network faults are checked against local servers: TLS is the Vault
// client's own handling of VAULT_CACERT and VAULT_SKIP_VERIFY.
func TestTransportFaults(t *testing.T) {
	tlsSrv := httptest.NewTLSServer(kvHandler(t))
	defer tlsSrv.Close()
	plain := httptest.NewServer(kvHandler(t))
	defer plain.Close()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsSrv.Certificate().Raw})
	if err := os.WriteFile(caFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	// A server that accepts and never answers.
	hang, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hang.Close()
	go func() {
		for {
			c, err := hang.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	closed := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return "http://" + l.Addr().String()
	}()

	cases := []struct {
		name     string
		addr     string
		env      map[string]string
		timeout  time.Duration
		wantCode shared.Code
		want     []string // in the message
	}{
		{name: "plain http, token from VAULT_TOKEN", addr: plain.URL, env: map[string]string{"VAULT_TOKEN": testToken}},
		{name: "TLS with VAULT_CACERT", addr: tlsSrv.URL, env: map[string]string{"VAULT_TOKEN": testToken, "VAULT_CACERT": caFile}},
		{name: "TLS with VAULT_CAPATH", addr: tlsSrv.URL, env: map[string]string{"VAULT_TOKEN": testToken, "VAULT_CAPATH": filepath.Dir(caFile)}},
		{name: "TLS with VAULT_SKIP_VERIFY", addr: tlsSrv.URL, env: map[string]string{"VAULT_TOKEN": testToken, "VAULT_SKIP_VERIFY": "true"}},
		{name: "TLS, unknown CA", addr: tlsSrv.URL, env: map[string]string{"VAULT_TOKEN": testToken},
			wantCode: shared.CodeUnavailable, want: []string{"TLS failure talking to " + tlsSrv.URL, "unknown authority", "VAULT_CACERT"}},
		{name: "TLS, wrong host name", addr: strings.Replace(tlsSrv.URL, "127.0.0.1", "localhost", 1),
			env:      map[string]string{"VAULT_TOKEN": testToken, "VAULT_CACERT": caFile},
			wantCode: shared.CodeUnavailable, want: []string{"TLS failure", "VAULT_TLS_SERVER_NAME"}},
		{name: "https to a plain server", addr: strings.Replace(plain.URL, "http:", "https:", 1), env: map[string]string{"VAULT_TOKEN": testToken},
			wantCode: shared.CodeUnavailable, want: []string{"TLS failure", "does not speak TLS", "http://"}},
		{name: "VAULT_CACERT missing", addr: tlsSrv.URL, env: map[string]string{"VAULT_TOKEN": testToken, "VAULT_CACERT": "/nonexistent/ca.pem"},
			wantCode: shared.CodeFailedPrecondition, want: []string{"cannot set up the Vault client from the environment", "VAULT_CACERT"}},
		{name: "server down", addr: closed, env: map[string]string{"VAULT_TOKEN": testToken},
			wantCode: shared.CodeUnavailable, want: []string{"cannot reach Vault at " + closed, "connection refused"}},
		{name: "no answer within the deadline", addr: "http://" + hang.Addr().String(), env: map[string]string{"VAULT_TOKEN": testToken},
			timeout: 300 * time.Millisecond, wantCode: shared.CodeDeadlineExceeded, want: []string{"no answer from http://" + hang.Addr().String() + " in time"}},
		{name: "no token", addr: plain.URL,
			wantCode: shared.CodeUnauthenticated, want: []string{"no Vault token", "set VAULT_TOKEN or run `vault login`"}},
		{name: "token with an escape sequence", addr: plain.URL, env: map[string]string{"VAULT_TOKEN": "hvs.x\x1b[2J"},
			wantCode: shared.CodeUnauthenticated, want: []string{"VAULT_TOKEN holds non-printable characters"}},
		{name: "wrong token (a policy or a bad token: lookup-self tells)", addr: plain.URL, env: map[string]string{"VAULT_TOKEN": "hvs.wrong-token"},
			wantCode: shared.CodeUnauthenticated, want: []string{"the Vault token is invalid or expired", "vault login"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			isolate(t)
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			timeout := c.timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			start := time.Now()
			_, err := load(t, c.addr, timeout)
			if took := time.Since(start); took > timeout+2*time.Second {
				t.Errorf("took %v with a %v deadline", took, timeout)
			}
			if c.wantCode == shared.CodeUnknown {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if shared.CodeOf(err) != c.wantCode {
				t.Fatalf("got %v (%v), want %v", shared.CodeOf(err), err, c.wantCode)
			}
			msg := err.Error()
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
			if !strings.HasPrefix(msg, "cannot load Vault secret secret/ksm/x at ") || strings.Contains(msg, "\n") {
				t.Errorf("message is not one line naming the secret: %q", msg)
			}
			if strings.Contains(msg, "wrong-token") || strings.Contains(msg, testToken) {
				t.Errorf("message holds the token: %q", msg)
			}
		})
	}
}

// The token file `vault login` writes is used when VAULT_TOKEN is unset,
// and VAULT_TOKEN wins over it.
func TestTokenFile(t *testing.T) {
	plain := httptest.NewServer(kvHandler(t))
	defer plain.Close()
	home := isolate(t)
	if err := os.WriteFile(filepath.Join(home, ".vault-token"), []byte(testToken), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := load(t, plain.URL, 10*time.Second); err != nil {
		t.Fatalf("token from ~/.vault-token: %v", err)
	}
	t.Setenv("VAULT_TOKEN", "hvs.wrong-token")
	if _, err := load(t, plain.URL, 10*time.Second); shared.CodeOf(err) != shared.CodeUnauthenticated {
		t.Errorf("VAULT_TOKEN did not win over the file: %v", err)
	}
	os.Unsetenv("VAULT_TOKEN")
	// A FIFO in its place would block a naive read forever.
	os.Remove(filepath.Join(home, ".vault-token"))
	if err := mkfifo(filepath.Join(home, ".vault-token")); err != nil {
		t.Fatal(err)
	}
	_, err := load(t, plain.URL, 5*time.Second)
	if shared.CodeOf(err) != shared.CodeUnauthenticated || !strings.Contains(err.Error(), "is not a regular file") {
		t.Errorf("FIFO token file: %v", err)
	}
}

// A server (or proxy) that echoes the token in its error text: the
// message redacts it.
func TestErrorEchoingTheTokenIsRedacted(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{"errors": []string{"malformed token " + r.Header.Get("X-Vault-Token")}})
	}))
	defer echo.Close()
	isolate(t)
	t.Setenv("VAULT_TOKEN", testToken)
	_, err := load(t, echo.URL, 10*time.Second)
	if err == nil || strings.Contains(err.Error(), testToken) || !strings.Contains(err.Error(), "malformed token [redacted]") {
		t.Fatalf("got %v", err)
	}
}

// The same for a login that echoes the AppRole secret id it was sent.
func TestLoginEchoingTheSecretIDIsRedacted(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{"errors": []string{fmt.Sprintf("invalid secret id %v", body["secret_id"])}})
	}))
	defer echo.Close()
	isolate(t)
	const sid = "5ec7e71d-0000-4000-8000-ksmtestsecret"
	t.Setenv("VAULT_SECRET_ID", sid)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := storecall.Load(ctx, New(Options{}), shared.Settings{"address": echo.URL, "path": "ksm/x", "auth": "approle", "role_id": "rid"})
	if shared.CodeOf(err) != shared.CodeUnauthenticated || strings.Contains(err.Error(), sid) || !strings.Contains(err.Error(), "invalid secret id [redacted]") {
		t.Fatalf("got %v", err)
	}
}
