package e2e

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Row (issue 17, item 4), through the built ksm and ksm-storage-vault: a
// Vault address that answers 307 to another address never makes the
// plugin send the token there (on 00475f8 the other listener received
// X-Vault-Token on every command), and ksm says why in one line.
func TestVaultRedirectCarriesNoToken(t *testing.T) {
	const token = "hvs.e2e-redirect-token-4f1c"
	var mu sync.Mutex
	var got []string
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.Path+" token="+r.Header.Get("X-Vault-Token"))
		mu.Unlock()
		w.WriteHeader(http.StatusForbidden)
	}))
	defer elsewhere.Close()
	vault := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	defer vault.Close()

	work := t.TempDir()
	ini := filepath.Join(work, "keeper.ini")
	if err := os.WriteFile(ini, []byte("[_config]\nactive_profile = v\n\n[v]\nstorage = vault\naddress = "+vault.URL+"\npath = ksm/x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"profile", "show", "v"}, {"secret", "list"}} {
		cmd := ksm(append([]string{"--ini-file", ini}, args...)...)
		var env []string
		for _, kv := range cmd.Env {
			if !strings.HasPrefix(kv, "VAULT_") {
				env = append(env, kv)
			}
		}
		cmd.Env = append(env, "HOME="+work, "XDG_CONFIG_HOME="+filepath.Join(work, ".config"), "VAULT_TOKEN="+token)
		out, err := cmd.CombinedOutput()
		msg := strings.TrimSpace(string(out))
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("ksm %s: %v, want a failure: %s", strings.Join(args, " "), err, msg)
		}
		if !strings.Contains(msg, "redirected the request to "+elsewhere.URL) || !strings.Contains(msg, "ksm sends the token only to the address in the profile") {
			t.Errorf("ksm %s: %q", strings.Join(args, " "), msg)
		}
		if strings.Contains(msg, token) || strings.Count(msg, "\n") > 0 {
			t.Errorf("ksm %s: not one line, or it shows the token: %q", strings.Join(args, " "), msg)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 0 {
		t.Errorf("the other address received %q", got)
	}
}
