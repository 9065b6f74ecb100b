package vaultstore

import (
	"context"
	"fmt"
	"github.com/ksm-cli/ksm/internal/storecall"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ksm-cli/ksm/internal/wire"
	"github.com/ksm-cli/ksm/shared"
)

// The answer bound is the plugin protocol's: one fact, two packages.
func TestMaxAnswerIsTheProtocolLimit(t *testing.T) {
	if maxAnswer != wire.MaxMessageSize {
		t.Fatalf("maxAnswer = %d, wire.MaxMessageSize = %d", maxAnswer, wire.MaxMessageSize)
	}
}

// witness is a server that records every request it gets and what
// credentials came with it, and answers like Vault would with a config.
type witness struct {
	*httptest.Server
	mu    sync.Mutex
	calls []string
}

func newWitness(t *testing.T, tls bool) *witness {
	w := &witness{}
	h := kvHandler(t)
	handler := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		w.calls = append(w.calls, fmt.Sprintf("%s %s token=%q body=%d", r.Method, r.URL.Path, r.Header.Get("X-Vault-Token"), r.ContentLength))
		w.mu.Unlock()
		h.ServeHTTP(rw, r)
	})
	if tls {
		w.Server = httptest.NewTLSServer(handler)
	} else {
		w.Server = httptest.NewServer(handler)
	}
	t.Cleanup(w.Close)
	return w
}

func (w *witness) got() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.calls...)
}

// redirector answers every request with status code to base+path.
func redirector(t *testing.T, code int, base func() string) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, base()+r.URL.RequestURI(), code)
	}))
	t.Cleanup(s.Close)
	return s
}

// A Vault (or anyone on its address) that redirects elsewhere never makes
// the store send the token, or an AppRole secret id, there. Issue 17: on
// 00475f8 the other port received X-Vault-Token.
func TestRedirectNeverCarriesCredentials(t *testing.T) {
	for _, code := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect} {
		for _, how := range []string{"other port", "other host name", "https to http"} {
			t.Run(fmt.Sprintf("%d %s", code, how), func(t *testing.T) {
				isolate(t)
				t.Setenv("VAULT_TOKEN", testToken)
				elsewhere := newWitness(t, false)
				var from string
				switch how {
				case "other port":
					from = redirector(t, code, func() string { return elsewhere.URL }).URL
				case "other host name":
					// Same port, another name: still another origin.
					base := strings.Replace(elsewhere.URL, "127.0.0.1", "localhost", 1)
					from = redirector(t, code, func() string { return base }).URL
				case "https to http":
					s := httptest.NewTLSServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
						http.Redirect(rw, r, elsewhere.URL+r.URL.RequestURI(), code)
					}))
					t.Cleanup(s.Close)
					t.Setenv("VAULT_SKIP_VERIFY", "true")
					from = s.URL
				}
				_, err := load(t, from, 10*time.Second)
				if err == nil {
					t.Fatalf("the redirect was followed: the other server got %q", elsewhere.got())
				}
				if got := elsewhere.got(); len(got) != 0 {
					t.Errorf("the other server got %q", got)
				}
				for _, c := range elsewhere.got() {
					if strings.Contains(c, testToken) {
						t.Errorf("the token reached the other server: %s", c)
					}
				}
				if how != "https to http" {
					wantFailure(t, err, shared.CodeFailedPrecondition, "redirected the request to", "ksm sends the token only to the address in the profile")
				}
			})
		}
	}
	t.Run("approle login", func(t *testing.T) {
		isolate(t)
		const secretID = "approle-secret-id-1234"
		t.Setenv("VAULT_SECRET_ID", secretID)
		elsewhere := newWitness(t, false)
		from := redirector(t, http.StatusTemporaryRedirect, func() string { return elsewhere.URL }).URL
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := storecall.Load(ctx, New(Options{}), shared.Settings{"address": from, "path": "ksm/x", "auth": "approle", "role_id": "r"})
		wantFailure(t, err, shared.CodeFailedPrecondition, "redirected the request to")
		if got := elsewhere.got(); len(got) != 0 {
			t.Errorf("the login (with the secret id) reached the other server: %q", got)
		}
	})
}

// A redirect to the same origin (a path behind a proxy) is still followed.
func TestSameOriginRedirectIsFollowed(t *testing.T) {
	isolate(t)
	t.Setenv("VAULT_TOKEN", testToken)
	kv := kvHandler(t)
	s := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if p, ok := strings.CutPrefix(r.URL.Path, "/old"); ok {
			http.Redirect(rw, r, p, http.StatusTemporaryRedirect)
			return
		}
		kv.ServeHTTP(rw, r)
	}))
	defer s.Close()
	// The client keeps the address's path as a prefix: /old/v1/...
	if _, err := load(t, s.URL+"/old", 10*time.Second); err != nil {
		t.Fatal(err)
	}
}

// A 200 MB answer is refused after 4 MiB, whether it announces its length
// or streams it, and whatever its status. Issue 17: on 00475f8 it was read
// whole (1.3 GB RSS).
func TestHugeAnswerIsRefused(t *testing.T) {
	const huge = 200 << 20
	chunk := []byte(strings.Repeat("A", 64<<10))
	for _, tc := range []struct {
		name   string
		status int
		length bool
	}{
		{"streamed 200", http.StatusOK, false},
		{"announced 200", http.StatusOK, true},
		{"streamed 403", http.StatusForbidden, false},
		{"streamed 400", http.StatusBadRequest, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isolate(t)
			t.Setenv("VAULT_TOKEN", testToken)
			var mu sync.Mutex
			sent := 0
			s := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				rw.Header().Set("Content-Type", "application/json")
				if tc.length {
					rw.Header().Set("Content-Length", fmt.Sprint(huge+len(`{"data":{"data":{"x":""}}}`)))
				}
				rw.WriteHeader(tc.status)
				prefix := `{"data":{"data":{"x":"`
				if tc.status != http.StatusOK {
					prefix = `{"errors":["`
				}
				if _, err := rw.Write([]byte(prefix)); err != nil {
					return
				}
				for n := 0; n < huge; n += len(chunk) {
					if _, err := rw.Write(chunk); err != nil {
						return
					}
					mu.Lock()
					sent += len(chunk)
					mu.Unlock()
				}
			}))
			defer s.Close()
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := load(t, s.URL, 30*time.Second)
			runtime.ReadMemStats(&after)
			wantFailure(t, err, shared.CodeFailedPrecondition, "sent an answer larger than 4 MiB")
			// Reading the answer whole allocates more than its 200 MB; what
			// is left (the 4 MiB read, the test server's own writes, the race
			// detector's overhead) stays well under 128 MiB.
			alloc := after.TotalAlloc - before.TotalAlloc
			if alloc > 128<<20 {
				t.Errorf("allocated %d MiB for a refused answer", alloc>>20)
			}
			s.CloseClientConnections()
			mu.Lock()
			defer mu.Unlock()
			t.Logf("server wrote %d MiB before the store stopped reading; %d MiB allocated", sent>>20, alloc>>20)
		})
	}
}
