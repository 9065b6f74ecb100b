package keeper

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/keeper-security/secrets-manager-go/core"
	klog "github.com/keeper-security/secrets-manager-go/core/logger"

	"github.com/ksm-cli/ksm/cli/internal/keeper/keepertest"
)

// sdkClientVersion is what Keeper's Go SDK v1.7.0 sends (keeper_globals.go).
const sdkClientVersion = "mg17.0.0"

func needServer(t *testing.T) *keepertest.Server { t.Helper(); return keepertest.NewForKSM(t) }

func parse(t *testing.T, raw string) Token {
	t.Helper()
	tok, err := ParseToken(raw)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestBindAndFetchThroughSDK(t *testing.T) {
	s := needServer(t)
	web := s.AddRecord("Web Login", "login", keepertest.Field{Type: "password", Value: []any{"pw-1", 42}})
	folder := s.AddFolder()
	db := s.AddFolderRecord(folder, "Database", "databaseCredentials")
	raw := s.NewToken()
	tok := parse(t, raw)
	c := &Client{HTTPClient: s.Client()}

	cfg, err := c.Bind(context.Background(), s.Host(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ClientID != tok.ClientID() || cfg.Hostname != s.Host() || cfg.ServerPublicKeyID != "10" || cfg.AppOwnerPublicKey == "" {
		t.Errorf("config = %v (client id ok: %v)", cfg, cfg.ClientID == tok.ClientID())
	}
	if b, err := base64.StdEncoding.DecodeString(cfg.AppKey); err != nil || len(b) != 32 {
		t.Errorf("appKey: %d bytes, %v", len(b), err)
	}
	if !s.IsBound(raw) {
		t.Error("token not bound")
	}
	sec, err := c.Fetch(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Record{}
	for _, r := range sec.Records {
		got[r.UID] = r
	}
	if r := got[web]; r.Title != "Web Login" || len(r.Fields) != 1 || len(r.Fields[0].Value) != 2 || r.Fields[0].Value[1].(interface{ String() string }).String() != "42" {
		t.Errorf("web = %+v", r)
	}
	if r := got[db]; r.FolderUID != folder || len(sec.Folders) != 1 || sec.Folders[0].RecordUIDs[0] != db {
		t.Errorf("db = %+v, folders %+v", r, sec.Folders)
	}
	if st := s.Stats(); st.ClientVersion != sdkClientVersion || st.Binds != 1 {
		t.Errorf("stats = %+v", st)
	}
}

// The SDK reads KSM_CONFIG, KSM_TOKEN and KSM_HOSTNAME on its own; none of
// them may change what ksm asked for.
func TestSDKReadsNoEnvironment(t *testing.T) {
	s := needServer(t)
	s.AddRecord("One", "login")
	other := s.NewToken()
	t.Setenv("KSM_CONFIG", `{"clientId":"c3RyYW5nZXI=","privateKey":"x","appKey":"eA==","hostname":"127.0.0.1:1"}`)
	t.Setenv("KSM_TOKEN", "US:"+other)
	t.Setenv("KSM_HOSTNAME", "127.0.0.1:1")
	t.Setenv("KSM_CONFIG_FILE", t.TempDir()+"/ksm-config.json")
	c := &Client{HTTPClient: s.Client()}
	tok := parse(t, s.NewToken())
	cfg, err := c.Bind(context.Background(), s.Host(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ClientID != tok.ClientID() {
		t.Error("bound a client id other than the token's")
	}
	if s.IsBound(other) {
		t.Error("the SDK redeemed KSM_TOKEN instead of the token it was given")
	}
	if sec, err := c.Fetch(context.Background(), cfg); err != nil || len(sec.Records) != 1 {
		t.Fatalf("fetch: %v", err)
	}
}

func TestCallAbandonedWhenCtxEnds(t *testing.T) {
	for _, tt := range []struct {
		name string
		end  func(context.Context, context.CancelFunc, *keepertest.Server)
		want string
	}{
		{"deadline", nil, "did not answer in time"},
		{"cancel (Ctrl-C)", func(ctx context.Context, cancel context.CancelFunc, s *keepertest.Server) {
			for s.Stats().Requests == 0 && ctx.Err() == nil {
				time.Sleep(5 * time.Millisecond) // polling the server's counter; the ctx bounds it
			}
			cancel()
		}, "was cancelled"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := needServer(t)
			s.Hang(1)
			c := &Client{HTTPClient: s.Client()}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			if tt.end != nil {
				ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				go tt.end(ctx, cancel, s)
			}
			start := time.Now()
			_, err := c.Bind(ctx, s.Host(), parse(t, s.NewToken()))
			if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func TestSDKLogOnlyAtDebugAndRedacted(t *testing.T) {
	s := needServer(t)
	for _, level := range []hclog.Level{hclog.Info, hclog.Debug} {
		var buf bytes.Buffer
		c := &Client{HTTPClient: s.Client(), Logger: hclog.New(&hclog.LoggerOptions{Output: &buf, Level: level})}
		raw := s.NewToken()
		cfg, err := c.Bind(context.Background(), s.Host(), parse(t, raw))
		if err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if level == hclog.Info && out != "" {
			t.Errorf("logged without --debug: %q", out)
		}
		if level == hclog.Debug && !strings.Contains(out, "keeper sdk: ") {
			t.Errorf("--debug shows no SDK line: %q", out)
		}
		for _, secret := range []string{raw, cfg.ClientID, cfg.AppKey, cfg.PrivateKey[:40]} {
			if strings.Contains(out, secret) {
				t.Errorf("log shows a secret: %q", out)
			}
		}
	}
	if w, ok := klog.Writer().(*logSink); !ok || w != &current {
		t.Errorf("the SDK still writes to %T", klog.Writer())
	}
}

// roundTripFunc answers the SDK without any server.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func answer(status int, body io.Reader, hdr http.Header) *http.Response {
	if hdr == nil {
		hdr = http.Header{}
	}
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Header: hdr, Body: io.NopCloser(body)}
}

// zeros is an endless body.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func boundConfig(t testing.TB) Config {
	t.Helper()
	der, err := core.GeneratePrivateKeyDer()
	if err != nil {
		t.Fatal(err)
	}
	return Config{ClientID: "Y2xpZW50", PrivateKey: base64.StdEncoding.EncodeToString(der),
		AppKey: base64.StdEncoding.EncodeToString(make([]byte, 32)), Hostname: "keeper.example.com:8443", ServerPublicKeyID: "10"}
}

// A throttled answer whose wait would outlast the caller's deadline ends
// the call at once, not when the deadline cuts the wait short (the fuzz
// input 39fe96dd32fdbe1f: a retry_after ksm cannot read, so the 2 s
// backoff, under a 1 s deadline).
func TestThrottleWaitBeyondDeadlineEndsAtOnce(t *testing.T) {
	base := roundTripFunc(func(*http.Request) (*http.Response, error) {
		return answer(403, strings.NewReader(`{"error":"throttled"}`), nil), nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	c := &Client{HTTPClient: &http.Client{Transport: base}}
	_, err := c.Fetch(ctx, boundConfig(t))
	if !errors.Is(err, ErrThrottled) || !strings.Contains(err.Error(), "the next try would come after the timeout") {
		t.Fatalf("error = %v, want throttled, the next try after the timeout", err)
	}
	if ctx.Err() != nil {
		t.Errorf("the call waited for its deadline: %v", err)
	}
}

func TestHostileAnswers(t *testing.T) {
	defer func(n int64) { maxResponseBytes = n }(maxResponseBytes)
	maxResponseBytes = 1 << 20
	tests := []struct {
		name    string
		answer  func(*http.Request, int) (*http.Response, error)
		kind    error
		want    string
		maxSeen int
	}{
		{name: "endless body", answer: func(*http.Request, int) (*http.Response, error) {
			return answer(200, zeros{}, nil), nil
		}, kind: ErrBadResponse, want: "larger than 1 MiB", maxSeen: 1},
		{name: "garbage", answer: func(*http.Request, int) (*http.Response, error) {
			return answer(200, strings.NewReader("not keeper"), nil), nil
		}, kind: ErrBadResponse, want: "unreadable response", maxSeen: 1},
		{name: "empty 200 (no records, says the SDK)", answer: func(*http.Request, int) (*http.Response, error) {
			return answer(200, strings.NewReader(""), nil), nil
		}, kind: ErrBadResponse, want: "unreadable response", maxSeen: 1},
		{name: "redirect elsewhere", answer: func(r *http.Request, n int) (*http.Response, error) {
			return answer(http.StatusFound, strings.NewReader(""), http.Header{"Location": {"https://evil.example/x"}}), nil
		}, kind: ErrBadResponse, want: "redirected away from its API", maxSeen: 1},
		{name: "throttled every time", answer: func(*http.Request, int) (*http.Response, error) {
			return answer(403, strings.NewReader(`{"error":"throttled","message":"slow down","retry_after":0.01}`), nil), nil
		}, kind: ErrThrottled, want: "(tried 3 times)", maxSeen: 3},
		{name: "key switch forever", answer: func(*http.Request, int) (*http.Response, error) {
			return answer(403, strings.NewReader(`{"error":"key","key_id":11}`), nil), nil
		}, kind: ErrBadResponse, want: "keeps asking for another server public key", maxSeen: 2},
		{name: "server error", answer: func(*http.Request, int) (*http.Response, error) {
			return answer(500, strings.NewReader(`{"error":"oops","message":"line1\nline2\u001b[31m"}`), nil), nil
		}, want: "answered HTTP 500: oops: line1 line2", maxSeen: 1},
		{name: "connection refused", answer: func(*http.Request, int) (*http.Response, error) {
			return nil, errors.New("dial tcp: connection refused")
		}, kind: ErrUnreachable, want: "cannot reach keeper server at keeper.example.com:8443", maxSeen: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen atomic.Int32
			base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				n := int(seen.Add(1))
				if r.URL.Host != "keeper.example.com:8443" || r.URL.Path != "/api/rest/sm/v1/get_secret" {
					t.Errorf("request to %s", r.URL)
				}
				return tt.answer(r, n)
			})
			c := &Client{HTTPClient: &http.Client{Transport: base}}
			_, err := c.Fetch(context.Background(), boundConfig(t))
			if err == nil || (tt.kind != nil && !errors.Is(err, tt.kind)) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
			if strings.ContainsAny(err.Error(), "\n\x1b") {
				t.Errorf("error is not one clean line: %q", err)
			}
			if n := int(seen.Load()); n > tt.maxSeen {
				t.Errorf("%d requests, want at most %d", n, tt.maxSeen)
			}
		})
	}
}
