package keeper_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/ksm-cli/ksm/cli/internal/keeper"
	"github.com/ksm-cli/ksm/cli/internal/keeper/keepertest"
)

// waits records the client's backoff instead of sleeping.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.d = append(w.d, d)
	return ctx.Err()
}

func (w *waits) get() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

type fixture struct {
	s     *keepertest.Server
	c     *keeper.Client
	waits *waits
	opts  keeper.BindOptions
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	s := keepertest.New(t)
	w := &waits{}
	return &fixture{
		s:     s,
		c:     &keeper.Client{HTTPClient: s.Client(), Sleep: w.sleep},
		waits: w,
		opts:  keeper.BindOptions{ServerPublicKey: s.PublicKey()},
	}
}

func (f *fixture) token(t *testing.T) (string, keeper.Token) {
	t.Helper()
	raw := f.s.NewToken()
	tok, err := keeper.ParseToken(raw)
	if err != nil {
		t.Fatal(err)
	}
	return raw, tok
}

func (f *fixture) bind(t *testing.T) keeper.Config {
	t.Helper()
	_, tok := f.token(t)
	cfg, err := f.c.Bind(context.Background(), f.s.Host(), tok, f.opts)
	if err != nil {
		t.Fatalf("Bind: %v", err)
	}
	return cfg
}

func TestBindAndFetch(t *testing.T) {
	f := newFixture(t)
	web := f.s.AddRecord("Web Login", "login",
		keepertest.Field{Type: "login", Value: []any{"alice"}},
		keepertest.Field{Type: "password", Value: []any{"pw-1"}})
	note := f.s.Put("", keepertest.Record{Title: "Note", Type: "encryptedNotes", Notes: "remember",
		Custom: []keepertest.Field{{Type: "text", Label: "env", Value: []any{"prod"}}}})
	folder := f.s.AddFolder()
	db := f.s.AddFolderRecord(folder, "Database", "databaseCredentials",
		keepertest.Field{Type: "host", Value: []any{map[string]any{"hostName": "db.example.com", "port": "5432"}}})

	raw, tok := f.token(t)
	cfg, err := f.c.Bind(context.Background(), f.s.Host(), tok, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ClientID != tok.ClientID() || cfg.Hostname != f.s.Host() || cfg.ServerPublicKeyID != "10" || cfg.ServerPublicKey != f.s.PublicKey() {
		t.Errorf("config = clientId ok %v, hostname %q, key id %q", cfg.ClientID == tok.ClientID(), cfg.Hostname, cfg.ServerPublicKeyID)
	}
	if b, err := base64.StdEncoding.DecodeString(cfg.AppKey); err != nil || len(b) != 32 {
		t.Errorf("appKey: %d bytes, %v", len(b), err)
	}
	if b, err := base64.StdEncoding.DecodeString(cfg.AppOwnerPublicKey); err != nil || len(b) != 65 || b[0] != 4 {
		t.Errorf("appOwnerPublicKey: %d bytes, %v", len(b), err)
	}
	der, err := base64.StdEncoding.DecodeString(cfg.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	if k, err := x509.ParsePKCS8PrivateKey(der); err != nil {
		t.Errorf("privateKey is not PKCS#8: %v", err)
	} else if _, ok := k.(*ecdsa.PrivateKey); !ok {
		t.Errorf("privateKey is %T", k)
	}
	if st := f.s.Stats(); st.Binds != 1 || st.Requests != 1 || st.ClientVersion != keeper.ClientVersion {
		t.Errorf("after bind: %+v", st)
	}
	if !f.s.IsBound(raw) {
		t.Error("server does not consider the token bound")
	}

	// What keeper.ini would hold: the same keys, lower-cased.
	ini := map[string]string{}
	for k, v := range cfg.Map() {
		ini[strings.ToLower(k)] = v
	}
	secrets, err := f.c.Fetch(context.Background(), keeper.ConfigFromMap(ini))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]keeper.Record{}
	for _, r := range secrets.Records {
		got[r.UID] = r
	}
	if len(secrets.Records) != 3 {
		t.Fatalf("%d records", len(secrets.Records))
	}
	if r := got[web]; r.Title != "Web Login" || r.Type != "login" || r.FolderUID != "" ||
		fmt.Sprint(r.Fields) != "[{login  [alice]} {password  [pw-1]}]" {
		t.Errorf("web = %+v", r)
	}
	if r := got[note]; r.Notes != "remember" || fmt.Sprint(r.Custom) != "[{text env [prod]}]" {
		t.Errorf("note = %+v", r)
	}
	if r := got[db]; r.FolderUID != folder || fmt.Sprint(r.Fields[0].Value) != "[map[hostName:db.example.com port:5432]]" {
		t.Errorf("db = %+v", r)
	}
	if len(secrets.Folders) != 1 || secrets.Folders[0].UID != folder || fmt.Sprint(secrets.Folders[0].RecordUIDs) != "["+db+"]" {
		t.Errorf("folders = %+v", secrets.Folders)
	}
	if secrets.ServerPublicKeyID != "10" || len(secrets.Warnings) != 0 {
		t.Errorf("key id %q, warnings %q", secrets.ServerPublicKeyID, secrets.Warnings)
	}
	if st := f.s.Stats(); st.Fetches != 1 || st.Requests != 2 || st.Binds != 1 {
		t.Errorf("after fetch: %+v", st)
	}
}

func TestBindTwiceIsRefused(t *testing.T) {
	f := newFixture(t)
	raw, tok := f.token(t)
	if _, err := f.c.Bind(context.Background(), f.s.Host(), tok, f.opts); err != nil {
		t.Fatal(err)
	}
	_, err := f.c.Bind(context.Background(), f.s.Host(), tok, f.opts)
	if !errors.Is(err, keeper.ErrTokenRejected) || !errors.Is(err, keeper.ErrAccessDenied) {
		t.Fatalf("second bind: %v", err)
	}
	var se *keeper.ServerError
	if !errors.As(err, &se) || se.StatusCode != http.StatusForbidden || se.Code != "access_denied" || se.Message != "Signature is invalid" {
		t.Fatalf("server error = %+v", se)
	}
	want := "keeper server at " + f.s.Host() + " rejected the one-time token: it is unknown, expired or already used (access_denied: Signature is invalid)"
	if err.Error() != want {
		t.Errorf("message = %q", err)
	}
	if strings.Contains(err.Error(), raw) {
		t.Error("message contains the token")
	}
	if st := f.s.Stats(); st.Binds != 1 || st.Denied != 1 {
		t.Errorf("stats = %+v, want exactly one bind", st)
	}
}

func TestBindUnknownToken(t *testing.T) {
	f := newFixture(t)
	tok, err := keeper.ParseToken(base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.c.Bind(context.Background(), f.s.Host(), tok, f.opts)
	if !errors.Is(err, keeper.ErrTokenRejected) || !strings.Contains(err.Error(), "Unable to validate application access") {
		t.Fatalf("err = %v", err)
	}
}

func TestFetchWithWrongDeviceKeyIsDenied(t *testing.T) {
	f := newFixture(t)
	a, b := f.bind(t), f.bind(t)
	a.PrivateKey = b.PrivateKey // a's clientId, another device's key
	_, err := f.c.Fetch(context.Background(), a)
	if !errors.Is(err, keeper.ErrAccessDenied) || errors.Is(err, keeper.ErrTokenRejected) {
		t.Fatalf("err = %v", err)
	}
}

func TestKeySwitch(t *testing.T) {
	f := newFixture(t)
	f.s.RequireKeyID(11)
	cfg := f.bind(t)
	if cfg.ServerPublicKeyID != "11" {
		t.Fatalf("bound with key id %q, want the switched 11", cfg.ServerPublicKeyID)
	}
	f.s.RequireKeyID(12)
	s, err := f.c.Fetch(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if s.ServerPublicKeyID != "12" {
		t.Fatalf("fetch reports key id %q, want 12", s.ServerPublicKeyID)
	}
	if st := f.s.Stats(); st.KeyErrors != 2 || st.Binds != 1 || st.Fetches != 1 {
		t.Errorf("stats = %+v", st)
	}
}

func TestKeySwitchToUnknownID(t *testing.T) {
	f := newFixture(t)
	f.s.RequireKeyID(99)
	_, tok := f.token(t)
	// Keeper's own key table: id 99 is not in it.
	_, err := f.c.Bind(context.Background(), f.s.Host(), tok, keeper.BindOptions{})
	if !errors.Is(err, keeper.ErrUnknownKeyID) || !strings.Contains(err.Error(), "id 99") {
		t.Fatalf("err = %v", err)
	}
	if st := f.s.Stats(); st.KeyErrors != 1 || st.Requests != 1 {
		t.Errorf("stats = %+v", st)
	}
}

func TestUnknownKeyIDInConfig(t *testing.T) {
	f := newFixture(t)
	cfg := f.bind(t)
	cfg.ServerPublicKey, cfg.ServerPublicKeyID = "", "42"
	before := f.s.Stats().Requests
	_, err := f.c.Fetch(context.Background(), cfg)
	if !errors.Is(err, keeper.ErrUnknownKeyID) {
		t.Fatalf("err = %v", err)
	}
	if f.s.Stats().Requests != before {
		t.Error("a request was sent with an unknown key id")
	}
	_, tok := f.token(t)
	_, err = f.c.Bind(context.Background(), f.s.Host(), tok, keeper.BindOptions{ServerPublicKeyID: 6})
	if !errors.Is(err, keeper.ErrUnknownKeyID) {
		t.Fatalf("bind err = %v", err)
	}
}

// A server that keeps asking for another key must not loop the client.
func TestKeyErrorTwiceGivesUp(t *testing.T) {
	var mu sync.Mutex
	var ids []string
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ids = append(ids, r.Header.Get("PublicKeyId"))
		mu.Unlock()
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"error":"key","key_id":"11"}`) // Keeper sends it as a string at times
	}))
	defer ts.Close()
	f := newFixture(t) // only for a valid server key and token
	_, tok := f.token(t)
	c := &keeper.Client{HTTPClient: ts.Client()}
	_, err := c.Bind(context.Background(), ts.Listener.Addr().String(), tok, f.opts)
	if !errors.Is(err, keeper.ErrBadResponse) || !strings.Contains(err.Error(), "again") {
		t.Fatalf("err = %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(ids, ",") != "10,11" {
		t.Errorf("key ids sent: %v", ids)
	}
}

func TestThrottling(t *testing.T) {
	tests := []struct {
		name       string
		throttles  int
		retryAfter time.Duration
		wantWaits  string
		wantErr    bool
	}{
		{name: "retry_after honoured", throttles: 2, retryAfter: 50 * time.Millisecond, wantWaits: "[50ms 50ms]"},
		{name: "exponential backoff", throttles: 2, wantWaits: "[1s 2s]"},
		{name: "capped backoff", throttles: 2, retryAfter: time.Hour, wantWaits: "[4s 4s]"},
		{name: "exhausted", throttles: 5, wantWaits: "[1s 2s]", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.c.Backoff, f.c.MaxBackoff = time.Second, 4*time.Second
			cfg := f.bind(t)
			f.s.SetRetryAfter(tt.retryAfter)
			f.s.Throttle(tt.throttles)
			before := f.s.Stats().Requests
			_, err := f.c.Fetch(context.Background(), cfg)
			if got := fmt.Sprint(f.waits.get()); got != tt.wantWaits {
				t.Errorf("waits = %s, want %s", got, tt.wantWaits)
			}
			sent := f.s.Stats().Requests - before
			if !tt.wantErr {
				if err != nil || sent != tt.throttles+1 {
					t.Fatalf("err = %v after %d requests", err, sent)
				}
				return
			}
			if !errors.Is(err, keeper.ErrThrottled) || sent != 3 {
				t.Fatalf("err = %v after %d requests, want ErrThrottled after 3", err, sent)
			}
			if !strings.Contains(err.Error(), "is throttling requests (tried 3 times)") {
				t.Errorf("message = %q", err)
			}
		})
	}
}

func TestThrottleWaitCancelled(t *testing.T) {
	f := newFixture(t)
	cfg := f.bind(t)
	f.s.Throttle(1)
	ctx, cancel := context.WithCancel(context.Background())
	f.c.Sleep = func(context.Context, time.Duration) error { cancel(); return context.Canceled }
	_, err := f.c.Fetch(ctx, cfg)
	if !errors.Is(err, keeper.ErrThrottled) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestGarbageLeavesTokenUnused(t *testing.T) {
	f := newFixture(t)
	raw, tok := f.token(t)
	f.s.Garbage(1)
	_, err := f.c.Bind(context.Background(), f.s.Host(), tok, f.opts)
	if !errors.Is(err, keeper.ErrBadResponse) {
		t.Fatalf("err = %v", err)
	}
	if want := "keeper server at " + f.s.Host() + " returned an unreadable response"; err.Error() != want {
		t.Errorf("message = %q", err)
	}
	if f.s.IsBound(raw) {
		t.Fatal("garbage answer bound the token")
	}
	if _, err := f.c.Bind(context.Background(), f.s.Host(), tok, f.opts); err != nil {
		t.Fatalf("bind after garbage: %v", err)
	}
}

func TestServerError(t *testing.T) {
	f := newFixture(t)
	cfg := f.bind(t)
	f.s.Fail(1)
	_, err := f.c.Fetch(context.Background(), cfg)
	var se *keeper.ServerError
	if !errors.As(err, &se) || se.StatusCode != 500 {
		t.Fatalf("err = %v", err)
	}
	if want := "keeper server at " + f.s.Host() + " answered HTTP 500 internal server error"; err.Error() != want {
		t.Errorf("message = %q", err)
	}
}

func TestHangRespectsDeadline(t *testing.T) {
	f := newFixture(t)
	cfg := f.bind(t)
	f.s.Hang(1)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.c.Fetch(ctx, cfg)
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Fatalf("took %v", elapsed)
	}
	if !errors.Is(err, keeper.ErrUnreachable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "keeper server at "+f.s.Host()+" did not answer in time") {
		t.Errorf("message = %q", err)
	}
}

func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := ln.Addr().String()
	ln.Close()
	f := newFixture(t)
	_, tok := f.token(t)
	_, err = f.c.Bind(context.Background(), host, tok, f.opts)
	if !errors.Is(err, keeper.ErrUnreachable) || !strings.HasPrefix(err.Error(), "cannot reach keeper server at "+host+": ") {
		t.Fatalf("err = %v", err)
	}
}

func TestCertificateIsVerified(t *testing.T) {
	f := newFixture(t)
	_, tok := f.token(t)
	c := &keeper.Client{} // system roots: the test CA is not among them
	_, err := c.Bind(context.Background(), f.s.Host(), tok, f.opts)
	if !errors.Is(err, keeper.ErrUnreachable) || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("err = %v", err)
	}
	if f.s.Stats().Requests != 0 {
		t.Error("request reached a server the client should not trust")
	}
}

func TestTokenPrefixWinsOverHost(t *testing.T) {
	f := newFixture(t)
	raw := f.s.NewToken()
	tok, err := keeper.ParseToken("localhost:" + raw)
	if err != nil {
		t.Fatal(err)
	}
	// The prefix has no port, so this dials localhost:443, not the server.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = f.c.Bind(ctx, f.s.Host(), tok, f.opts)
	if err == nil || !strings.Contains(err.Error(), "keeper server at localhost") {
		t.Fatalf("err = %v", err)
	}
	if f.s.IsBound(raw) {
		t.Fatal("bound at the host argument despite the prefix")
	}
}

func TestBadInputsSendNothing(t *testing.T) {
	f := newFixture(t)
	_, tok := f.token(t)
	good := f.bind(t)
	before := f.s.Stats().Requests
	ctx := context.Background()
	cases := []struct {
		name string
		run  func() error
		kind error
		msg  string
	}{
		{"zero token", func() error { _, err := f.c.Bind(ctx, f.s.Host(), keeper.Token{}, f.opts); return err }, keeper.ErrBadToken, "token key must be 32 bytes, got 0"},
		{"no host", func() error { _, err := f.c.Bind(ctx, "", tok, f.opts); return err }, keeper.ErrUnknownRegion, "no keeper region or host given"},
		{"unknown region", func() error { _, err := f.c.Bind(ctx, "MARS", tok, f.opts); return err }, keeper.ErrUnknownRegion, `unknown region "MARS"`},
		{"bad server key", func() error {
			_, err := f.c.Bind(ctx, f.s.Host(), tok, keeper.BindOptions{ServerPublicKey: "AAAA"})
			return err
		}, keeper.ErrBadConfig, "server public key is not a P-256 point"},
		{"missing keys", func() error { _, err := f.c.Fetch(ctx, keeper.Config{Hostname: "US"}); return err }, keeper.ErrBadConfig, "keeper config is missing clientId, privateKey, appKey"},
		{"bad private key", func() error {
			c := good
			c.PrivateKey = "bm90IGEga2V5"
			_, err := f.c.Fetch(ctx, c)
			return err
		}, keeper.ErrBadConfig, "privateKey is not a PKCS#8 private key"},
		{"bad app key", func() error {
			c := good
			c.AppKey = "c2hvcnQ="
			_, err := f.c.Fetch(ctx, c)
			return err
		}, keeper.ErrBadConfig, "appKey must be base64 of 32 bytes"},
		{"bad key id", func() error {
			c := good
			c.ServerPublicKeyID = "ten"
			_, err := f.c.Fetch(ctx, c)
			return err
		}, keeper.ErrUnknownKeyID, `server public key id "ten" is not a positive number`},
	}
	for _, tc := range cases {
		err := tc.run()
		if !errors.Is(err, tc.kind) || !strings.Contains(fmt.Sprint(err), tc.msg) {
			t.Errorf("%s: err = %v, want %v containing %q", tc.name, err, tc.kind, tc.msg)
		}
	}
	if n := f.s.Stats().Requests - before; n != 0 {
		t.Errorf("%d requests sent for bad input", n)
	}
}

// Secrets must appear in no error and no log line, at any level.
func TestNoSecretsInErrorsOrLogs(t *testing.T) {
	var logs bytes.Buffer
	f := newFixture(t)
	f.c.Logger = hclog.New(&hclog.LoggerOptions{Output: &logs, Level: hclog.Trace})
	f.s.AddRecord("Secret Login", "login", keepertest.Field{Type: "password", Value: []any{"hunter2-very-secret"}})

	raw, tok := f.token(t)
	cfg, err := f.c.Bind(context.Background(), f.s.Host(), tok, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	var errs []string
	if _, err := f.c.Fetch(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	_, err = f.c.Bind(context.Background(), f.s.Host(), tok, f.opts)
	errs = append(errs, fmt.Sprint(err))
	f.s.Garbage(1)
	_, err = f.c.Fetch(context.Background(), cfg)
	errs = append(errs, fmt.Sprint(err))
	f.s.Throttle(5)
	_, err = f.c.Fetch(context.Background(), cfg)
	errs = append(errs, fmt.Sprint(err))

	if !strings.Contains(logs.String(), "keeper request") {
		t.Fatalf("nothing logged, so the check below proves nothing:\n%s", logs.String())
	}
	haystack := logs.String() + strings.Join(errs, "\n") + fmt.Sprint(cfg)
	for name, secret := range map[string]string{
		"token": raw, "appKey": cfg.AppKey, "privateKey": cfg.PrivateKey[40:80], "password": "hunter2-very-secret",
	} {
		if strings.Contains(haystack, secret) {
			t.Errorf("%s appears in errors or logs", name)
		}
	}
}

// Many devices at once: exercises the server and client under -race.
func TestConcurrentDevices(t *testing.T) {
	f := newFixture(t)
	f.s.AddRecord("Shared", "login")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			tok, err := keeper.ParseToken(f.s.NewToken())
			var cfg keeper.Config
			if err == nil {
				cfg, err = f.c.Bind(context.Background(), f.s.Host(), tok, f.opts)
			}
			if err == nil {
				var s *keeper.Secrets
				if s, err = f.c.Fetch(context.Background(), cfg); err == nil && len(s.Records) != 1 {
					err = fmt.Errorf("%d records", len(s.Records))
				}
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if st := f.s.Stats(); st.Binds != 8 || st.Fetches != 8 {
		t.Errorf("stats = %+v", st)
	}
}
