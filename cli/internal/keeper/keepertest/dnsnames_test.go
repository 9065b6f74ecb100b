package keepertest_test

import (
	"crypto/tls"
	"crypto/x509"
	"testing"

	"github.com/ksm-cli/ksm/cli/internal/keeper/keepertest"
)

// WithDNSNames lets a client that reaches the server through a proxy
// verify it under those names, and only those.
func TestWithDNSNames(t *testing.T) {
	s := keepertest.New(t, keepertest.WithDNSNames("keepersecurity.com", "keepersecurity.eu"))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.CertPEM())
	for _, tt := range []struct {
		name string
		ok   bool
	}{
		{"keepersecurity.com", true},
		{"keepersecurity.eu", true},
		{"localhost", true},
		{"keepersecurity.jp", false},
	} {
		conn, err := tls.Dial("tcp", s.Host(), &tls.Config{RootCAs: pool, ServerName: tt.name, MinVersion: tls.VersionTLS12})
		if err == nil {
			conn.Close()
		}
		if (err == nil) != tt.ok {
			t.Errorf("%s: handshake error %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}
