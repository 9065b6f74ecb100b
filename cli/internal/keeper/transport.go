package keeper

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/keeper-security/secrets-manager-go/core"
)

// Deadlines of the default transport. The ctx of a call (--timeout,
// Ctrl-C) bounds the whole exchange; these stop one stuck phase early.
const (
	dialTimeout           = 10 * time.Second
	tlsHandshakeTimeout   = 10 * time.Second
	responseHeaderTimeout = 30 * time.Second
)

// maxResponseBytes caps an answer (the SDK reads it whole); a variable only
// so that a test need not push 32 MiB through the race detector.
var maxResponseBytes int64 = 32 << 20

// apiPathPrefix is where Keeper's API lives; the transport sends nothing
// else.
const apiPathPrefix = "/api/rest/sm/v1/"

// defaultTransport is built at the first call, never at start-up, so
// commands that do not reach Keeper pay nothing for it. It uses the system
// roots (SSL_CERT_FILE) and the proxy variables, as ksm always has; the
// SDK's KSM_SKIP_VERIFY has no effect because the SDK never builds a
// transport of its own here.
var defaultTransport = sync.OnceValue(func() http.RoundTripper {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   tlsHandshakeTimeout,
		ResponseHeaderTimeout: responseHeaderTimeout,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          4,
		IdleConnTimeout:       30 * time.Second,
	}
})

// transport is the SDK's HTTP transport for one call (handed to it through
// core.Context.Transport). It binds every request to the call's ctx, sends
// it to the host ksm resolved (the SDK drops a port and takes $KSM_HOSTNAME
// over its config), refuses anything but a POST to Keeper's API, caps the
// answer's size, and remembers the first failure: the SDK flattens
// transport errors into text, so the wrapper asks here what went wrong.
type transport struct {
	ctx    context.Context
	addr   string
	base   http.RoundTripper
	sdkCtx **core.Context // the SDK keeps the request's transmission key here

	mu       sync.Mutex
	err      error
	after    time.Duration // retry_after of a refusal
	switches int           // "key" refusals: the server asked for another server key
}

// maxKeySwitches bounds the SDK's loop on "key" refusals, which it would
// follow for as long as a server keeps asking.
const maxKeySwitches = 2

func newTransport(ctx context.Context, addr string, base http.RoundTripper) *transport {
	return &transport{ctx: ctx, addr: addr, base: base}
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodPost || !strings.HasPrefix(req.URL.Path, apiPathPrefix) {
		return nil, t.fail(newError(ErrBadResponse, nil, "keeper server at %s redirected away from its API; refused", t.addr))
	}
	if t.keySwitches() >= maxKeySwitches {
		return nil, t.fail(newError(ErrBadResponse, nil, "keeper server at %s keeps asking for another server public key; giving up", t.addr))
	}
	r := req.Clone(t.ctx)
	r.URL.Scheme, r.URL.Host, r.Host = "https", t.addr, ""
	addTestTransmissionKey(r, t.sdkCtx)
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, t.fail(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.noteRefusal(resp)
	}
	resp.Body = &cappedBody{rc: resp.Body, left: maxResponseBytes, t: t, mustHaveBody: resp.StatusCode == http.StatusOK}
	return resp, nil
}

// noteRefusal reads a refusal's retry_after (seconds), which the SDK's
// error does not carry, and puts the small body back for the SDK.
func (t *transport) noteRefusal(resp *http.Response) {
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	if err != nil {
		return
	}
	var e struct {
		Error      string  `json:"error"`
		RetryAfter float64 `json:"retry_after"`
	}
	if json.Unmarshal(b, &e) != nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if e.RetryAfter > 0 {
		t.after = time.Duration(e.RetryAfter * float64(time.Second))
	}
	if e.Error == "key" {
		t.switches++
	}
}

func (t *transport) keySwitches() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.switches
}

func (t *transport) retryAfter() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.after
}

func (t *transport) fail(err error) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err == nil {
		t.err = err
	}
	return err
}

func (t *transport) failure() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

// cappedBody fails a response larger than maxResponseBytes (the SDK reads
// it whole) and records read errors (a deadline mid-body). An empty 200
// fails too: the SDK takes it for an answer with no records, but every
// get_secret answer is an encrypted object.
type cappedBody struct {
	rc           io.ReadCloser
	left         int64
	t            *transport
	mustHaveBody bool
	seen         bool
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, b.t.fail(newError(ErrBadResponse, nil, "keeper server at %s sent a response larger than %d MiB; refused", b.t.addr, maxResponseBytes>>20))
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	b.seen = b.seen || n > 0
	if errors.Is(err, io.EOF) && b.mustHaveBody && !b.seen {
		return n, b.t.fail(unreadable(b.t.addr, errors.New("empty answer")))
	}
	if err != nil && !errors.Is(err, io.EOF) {
		b.t.fail(err)
	}
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }

// unreachable names the host and says whether time ran out; the cause is
// kept for errors.Is (context.DeadlineExceeded, *net.OpError, ...).
func unreachable(ctx context.Context, host string, err error) error {
	var ke *kerr
	if errors.As(err, &ke) {
		return err
	}
	cause := err
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err // drop `Post "URL":`: the message names the host already
	}
	if ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return newError(ErrUnreachable, errors.Join(ctx.Err(), cause), "request to keeper server at %s was cancelled", host)
		}
		return newError(ErrUnreachable, errors.Join(ctx.Err(), cause), "keeper server at %s did not answer in time: %v", host, ctx.Err())
	}
	var te interface{ Timeout() bool }
	if errors.As(err, &te) && te.Timeout() {
		return newError(ErrUnreachable, cause, "keeper server at %s did not answer in time", host)
	}
	return newError(ErrUnreachable, cause, "cannot reach keeper server at %s: %v", host, cause)
}

func unreadable(host string, cause error) error {
	return newError(ErrBadResponse, cause, "keeper server at %s returned an unreadable response", host)
}
