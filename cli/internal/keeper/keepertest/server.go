// Package keepertest is a Keeper Secrets Manager server for tests. It
// speaks the protocol for real: HTTPS on loopback with its own CA, its own
// transmission key pair, one-time tokens that bind once, ECDSA-verified
// requests, and records and shared folders encrypted as Keeper does. It can
// also misbehave on demand (key switch, throttling, garbage, hangs, 500s).
//
// It does not import package keeper, so the two check each other.
package keepertest

import (
	"crypto/ecdh"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"github.com/ksm-cli/ksm/internal/testenv"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// DefaultKeyID is the server key id a new Server answers to; it is also
// what Keeper's clients start with.
const DefaultKeyID = 10

// Server is a running test server. Its methods are safe for concurrent use.
type Server struct {
	host   string
	caPEM  []byte
	caFile string
	client *http.Client
	key    *ecdh.PrivateKey

	srv  *http.Server
	done chan struct{} // closed by Close: releases hanging handlers

	mu         sync.Mutex
	closed     bool
	handlers   sync.WaitGroup
	keyID      int
	retryAfter time.Duration
	appKey     []byte
	ownerKey   []byte // the app owner's public point, as Keeper returns it
	devices    map[string]*device
	records    []*storedRecord
	folders    []*storedFolder
	faults     []fault
	stats      Stats
}

// Stats counts what the server saw.
type Stats struct {
	Requests      int    `json:"requests"`   // get_secret requests, whatever the answer
	Binds         int    `json:"binds"`      // tokens bound
	Fetches       int    `json:"fetches"`    // successful answers to bound devices
	Denied        int    `json:"denied"`     // access_denied answers
	KeyErrors     int    `json:"key_errors"` // "key" answers (switch key id)
	Throttled     int    `json:"throttled"`
	ClientVersion string `json:"client_version"` // the last clientVersion sent
}

// Option configures a server at start.
type Option func(*options)

type options struct {
	dnsNames []string
}

// WithDNSNames adds host names to the server certificate, so a client that
// reaches the server through a proxy (HTTPS_PROXY and CONNECT) can verify
// it as, say, keepersecurity.com without any test hook in the client.
func WithDNSNames(names ...string) Option {
	return func(o *options) { o.dnsNames = append(o.dnsNames, names...) }
}

// New starts a server for the test and stops it at cleanup. Its CA file
// lives in t.TempDir().
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := Start(t.TempDir(), opts...)
	if err != nil {
		t.Fatalf("keepertest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// KSMClientLinked is set by package keeper when it is built for tests (tag
// devtools): only that build hands this server the transmission key that
// Keeper's SDK encrypts to Keeper's own server keys.
var KSMClientLinked bool

// NewForKSM is New for a test that reaches the server through ksm's Keeper
// client (package keeper); it skips, saying how to run it, when the test
// binary was built without the tag that client needs.
func NewForKSM(t testing.TB, opts ...Option) *Server {
	t.Helper()
	if !KSMClientLinked {
		testenv.Skip(t, "no-devtools-tag", "ksm's Keeper client reaches keepertest only in its test build: run go test -tags devtools (as make test does)")
	}
	return New(t, opts...)
}

// Start starts a server listening on 127.0.0.1 (a free port) and writes its
// CA certificate to dir/ca.pem. Call Close when done.
func Start(dir string, opts ...Option) (*Server, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	caPEM, cert, err := newCertificates(o.dnsNames)
	if err != nil {
		return nil, fmt.Errorf("make certificates: %w", err)
	}
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o600); err != nil {
		return nil, fmt.Errorf("write CA file: %w", err)
	}
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	owner, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	s := &Server{
		host:       ln.Addr().String(),
		caPEM:      caPEM,
		caFile:     caFile,
		client:     &http.Client{Transport: transport, Timeout: 30 * time.Second},
		key:        key,
		done:       make(chan struct{}),
		keyID:      DefaultKeyID,
		retryAfter: 50 * time.Millisecond,
		appKey:     randomBytes(32),
		ownerKey:   owner.PublicKey().Bytes(),
		devices:    map[string]*device{},
	}
	s.srv = &http.Server{
		Handler:           s,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0), // untrusting test clients make noisy handshakes
	}
	go func() { _ = s.srv.Serve(tls.NewListener(ln, s.srv.TLSConfig)) }()
	return s, nil
}

// Close stops the server, releasing any hanging requests first.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	close(s.done)
	_ = s.srv.Close()
	s.handlers.Wait()
	s.client.CloseIdleConnections()
}

// Host is "127.0.0.1:PORT", to give as the hostname: a token prefix is
// split on the first ':', so it cannot carry the port.
func (s *Server) Host() string { return s.host }

// CAFile is the path of the PEM CA certificate that signed the server's
// certificate (for SSL_CERT_FILE or a root pool).
func (s *Server) CAFile() string { return s.caFile }

// CertPEM is the CA certificate in PEM.
func (s *Server) CertPEM() []byte { return append([]byte(nil), s.caPEM...) }

// Client is an HTTP client that trusts the server's CA.
func (s *Server) Client() *http.Client { return s.client }

// PublicKey is the server's transmission public key: an uncompressed P-256
// point, base64url without padding, the form Keeper publishes its keys in.
func (s *Server) PublicKey() string {
	return base64.RawURLEncoding.EncodeToString(s.key.PublicKey().Bytes())
}

// KeyID is the server public key id the server currently answers to.
func (s *Server) KeyID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keyID
}

// RequireKeyID makes the server answer to id from now on: a request sent
// with another id gets Keeper's {"error":"key","key_id":id}. The key pair
// does not change, as with a private deployment's single key.
func (s *Server) RequireKeyID(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keyID = id
}

// SetRetryAfter sets the retry_after (seconds) sent with throttled answers;
// 0 leaves it out, so clients use their own backoff. The default is 50ms,
// to keep tests fast.
func (s *Server) SetRetryAfter(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retryAfter = d
}

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// fault is a canned misbehaviour for the next protocol request.
type fault int

const (
	faultThrottle fault = iota + 1
	faultGarbage
	faultHang
	faultFail
)

// Throttle answers the next n requests with Keeper's throttling error
// (HTTP 403, "throttled").
func (s *Server) Throttle(n int) { s.addFault(faultThrottle, n) }

// Garbage answers the next n requests with HTTP 200 and random bytes.
func (s *Server) Garbage(n int) { s.addFault(faultGarbage, n) }

// Hang makes the next n requests wait until the client gives up (or the
// server closes) without answering.
func (s *Server) Hang(n int) { s.addFault(faultHang, n) }

// Fail answers the next n requests with HTTP 500.
func (s *Server) Fail(n int) { s.addFault(faultFail, n) }

func (s *Server) addFault(f fault, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, f)
	}
}
