package vaultstore

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/shared"
)

// Transport errors are told apart by type; a "login" or "tls" in an
// unrelated message decides nothing.
func TestTransportFailureByType(t *testing.T) {
	tg := target{address: "https://vault.example:8200"}
	get := func(err error) error { return &url.Error{Op: "Get", URL: tg.address + "/v1/x", Err: err} }
	tests := []struct {
		name string
		err  error
		want string // in the reason
		hint string // in the hint
	}{
		{"alert received", get(&net.OpError{Op: "remote error", Err: tls.AlertError(42)}), "TLS failure", "VAULT_CACERT"},
		{"alert sent", get(&net.OpError{Op: "local error", Err: errors.New("tls: unexpected message")}), "TLS failure", "VAULT_CACERT"},
		{"alert value", get(fmt.Errorf("handshake: %w", tls.AlertError(40))), "TLS failure", "VAULT_CACERT"},
		{"no system roots", get(x509.SystemRootsError{}), "TLS failure", "VAULT_CACERT"},
		{"plain HTTP", get(errors.New("http: " + plainHTTPWording)), "does not speak TLS", "http://"},
		{"refused", get(&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}), "cannot reach Vault", "is running"},
		{"text mentioning tls: decides nothing", get(errors.New("proxy said tls: maybe")), "cannot talk to Vault", "is running"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := transportFailure(tg, tt.err)
			if f.Code != shared.CodeUnavailable || !strings.Contains(f.Message, tt.want) || !strings.Contains(f.Hint, tt.hint) {
				t.Errorf("failure = %+v, want reason with %q and hint with %q", f, tt.want, tt.hint)
			}
		})
	}
}

// net/http drops the type of a plain-HTTP answer to an https:// request:
// its wording, matched by plainHTTPReply, is pinned here.
func TestPlainHTTPWording(t *testing.T) {
	s := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer s.Close()
	_, err := s.Client().Get(strings.Replace(s.URL, "http://", "https://", 1))
	if err == nil || !plainHTTPReply(err) {
		t.Fatalf("net/http said %v, which plainHTTPReply does not recognise", err)
	}
}
