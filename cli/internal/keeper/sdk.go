package keeper

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/keeper-security/secrets-manager-go/core"
)

// Client is ksm's one door to Keeper: every call goes through Keeper's own
// Go SDK (secrets-manager-go/core), which speaks the protocol and does the
// crypto. The zero value is ready to use.
type Client struct {
	// HTTPClient's Transport carries the requests (a test server's client,
	// say); nil means a transport with dial, TLS and response deadlines.
	// Its Timeout is not used: the ctx of each call bounds it.
	HTTPClient *http.Client
	// Logger gets the SDK's log lines at debug level, with anything that
	// looks like a token or key redacted; nil discards them.
	Logger hclog.Logger
}

// sdkMu serialises calls into the SDK: its logger and log level are
// package globals, and a call owns them while it runs. An abandoned call
// (ctx ended) still holds the lock until its request, bound to the same
// ctx, has returned: a next call waits for it rather than share the logger.
var sdkMu sync.Mutex

// Bind redeems a one-time token through the SDK: the SDK makes the device
// key pair, registers it with Keeper and reads the records once to check
// the binding (two requests). The token's prefix, when it has one, wins
// over host; Config.Hostname keeps it as given ("US" stays "US"). A token
// that Keeper refuses gives an error matching ErrTokenRejected.
func (cl *Client) Bind(ctx context.Context, host string, tok Token) (Config, error) {
	if len(tok.key) != tokenKeySize {
		return Config{}, newError(ErrBadToken, nil, "token key must be %d bytes, got %d", tokenKeySize, len(tok.key))
	}
	given := host
	if tok.Host != "" {
		given = tok.Host
	}
	addr, err := ResolveHost(given)
	if err != nil {
		return Config{}, err
	}
	store := core.NewMemoryKeyValueStorage(map[string]string{})
	_, err = cl.call(ctx, addr, func(sdkCtx **core.Context) (*core.SecretsManagerResponse, error) {
		key := base64.RawURLEncoding.EncodeToString(tok.key)
		// A bare token with a Hostname: the SDK splits "HOST:KEY" on every
		// ':', so a host with a port would not survive the prefix form.
		//lint:ignore SA1019 the token's own HOST: prefix cannot carry a port (above)
		sm := core.NewSecretsManager(&core.ClientOptions{Token: key, Hostname: addr, Config: store}, sdkCtx)
		if sm == nil {
			return nil, newError(ErrBadToken, nil, "keeper's SDK did not accept the token")
		}
		// The SDK takes $KSM_TOKEN over the token it is given when it
		// derives the client id; ksm decides which token is redeemed.
		store.Set(core.KEY_CLIENT_ID, tok.ClientID())
		store.Set(core.KEY_CLIENT_KEY, key)
		return sm.GetSecretsFullResponse(nil)
	})
	if err != nil {
		if errors.Is(err, ErrAccessDenied) {
			return Config{}, newError(ErrTokenRejected, err,
				"keeper server at %s rejected the one-time token: it is unknown, expired or already used (%v)", addr, serverReason(err))
		}
		return Config{}, err
	}
	cfg := Config{
		ClientID:          store.Get(core.KEY_CLIENT_ID),
		PrivateKey:        store.Get(core.KEY_PRIVATE_KEY),
		AppKey:            store.Get(core.KEY_APP_KEY),
		Hostname:          given,
		ServerPublicKeyID: store.Get(core.KEY_SERVER_PUBLIC_KEY_ID),
		AppOwnerPublicKey: store.Get(core.KEY_OWNER_PUBLIC_KEY),
	}
	if cfg.AppKey == "" || cfg.PrivateKey == "" {
		return Config{}, newError(ErrBadResponse, nil, "keeper server at %s answered the bind without an application key", addr)
	}
	cl.logger().Debug("bound client device", "host", addr, "key_id", cfg.ServerPublicKeyID)
	return cfg, nil
}

// Fetch reads every record and shared folder the bound application can
// see. When Keeper asks for another server key, the SDK switches and
// Secrets.ServerPublicKeyID reports the new id.
func (cl *Client) Fetch(ctx context.Context, cfg Config) (*Secrets, error) {
	if err := checkConfig(cfg); err != nil {
		return nil, err
	}
	addr, err := ResolveHost(cfg.Hostname)
	if err != nil {
		return nil, err
	}
	m := cfg.Map()
	m["hostname"] = addr
	store := core.NewMemoryKeyValueStorage(m)
	resp, err := cl.call(ctx, addr, func(sdkCtx **core.Context) (*core.SecretsManagerResponse, error) {
		sm := core.NewSecretsManager(&core.ClientOptions{Config: store}, sdkCtx)
		if sm == nil {
			return nil, newError(ErrBadConfig, nil, "keeper config is not usable by keeper's SDK")
		}
		return sm.GetSecretsFullResponse(nil)
	})
	if err != nil {
		return nil, err
	}
	s := convertSecrets(resp)
	s.ServerPublicKeyID = store.Get(core.KEY_SERVER_PUBLIC_KEY_ID)
	return s, nil
}

// Throttling: Keeper answers a burst with "throttled" (and sometimes a
// retry_after); the SDK gives up at once, so the wrapper tries again.
const (
	maxAttempts = 3
	backoff     = 2 * time.Second
	maxBackoff  = 10 * time.Second
)

// call runs fn, trying again after a throttled answer, and maps its errors.
// Every attempt builds its SDK client anew from the same in-memory config;
// a throttled bind has not used the token.
func (cl *Client) call(ctx context.Context, addr string, fn func(**core.Context) (*core.SecretsManagerResponse, error)) (*core.SecretsManagerResponse, error) {
	wait := backoff
	for attempt := 1; ; attempt++ {
		resp, tr, err := cl.attempt(ctx, addr, fn)
		if err == nil {
			return resp, nil
		}
		err = mapError(ctx, addr, tr, err)
		if !errors.Is(err, ErrThrottled) {
			return nil, err
		}
		if attempt >= maxAttempts {
			return nil, newError(ErrThrottled, err, "keeper server at %s is throttling requests (tried %d times); wait a minute and try again", addr, attempt)
		}
		if ra := tr.retryAfter(); ra > 0 {
			wait = ra
		}
		wait = min(wait, maxBackoff)
		// A wait the deadline would cut short only delays the same answer:
		// say it now, while the user's --timeout has time left.
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return nil, newError(ErrThrottled, err, "keeper server at %s is throttling requests (tried %d times; the next try would come after the timeout); wait a minute and try again", addr, attempt)
		}
		cl.logger().Debug("throttled; retrying", "host", addr, "attempt", attempt, "wait", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, newError(ErrThrottled, ctx.Err(), "keeper server at %s is throttling requests and the wait was cut short: %v", addr, ctx.Err())
		case <-t.C:
		}
		wait *= 2
	}
}

// attempt runs one SDK exchange where it can be abandoned: the SDK takes
// no context, so it runs on a goroutine of its own while this one waits
// for it or for ctx. Its requests go through a transport bound to ctx, so
// an abandoned call ends at its next read; until then it holds only memory
// (an in-memory config and the response), which is dropped. A panic in
// the SDK (it type-asserts the server's JSON) is a bad response.
func (cl *Client) attempt(ctx context.Context, addr string, fn func(**core.Context) (*core.SecretsManagerResponse, error)) (*core.SecretsManagerResponse, *transport, error) {
	tr := newTransport(ctx, addr, cl.baseTransport())
	sdkCtx := &core.Context{Transport: tr}
	tr.sdkCtx = &sdkCtx

	type result struct {
		resp *core.SecretsManagerResponse
		err  error
		logs logSummary
	}
	done := make(chan result, 1)
	go func() {
		var r result
		sdkMu.Lock()
		defer sdkMu.Unlock()
		sink := attachLogger(cl.logger())
		defer func() {
			if p := recover(); p != nil {
				r.resp, r.err = nil, unreadable(addr, fmt.Errorf("keeper's SDK failed on the answer: %v", p))
			}
			r.logs = sink.detach()
			done <- r
		}()
		r.resp, r.err = fn(&sdkCtx)
	}()

	select {
	case r := <-done:
		if r.err != nil {
			return nil, tr, r.err
		}
		if r.resp == nil {
			return nil, tr, unreadable(addr, errors.New("keeper's SDK returned no answer"))
		}
		if r.logs.errors > 0 {
			r.resp.Warnings = strings.TrimSpace(r.resp.Warnings + "\n" + skippedWarning)
		}
		return r.resp, tr, nil
	case <-ctx.Done():
		return nil, tr, unreachable(ctx, addr, ctx.Err())
	}
}

// skippedWarning: the SDK logs and skips a record or folder it cannot
// decrypt; ksm says so rather than pass over it in silence.
const skippedWarning = "some records or shared folders could not be decrypted and were skipped; run with --debug for details"

// mapError turns what the SDK returned into ksm's errors. The SDK flattens
// transport errors into text, so the transport's own record of what
// failed decides first.
func mapError(ctx context.Context, addr string, tr *transport, err error) error {
	var ke *kerr
	if errors.As(err, &ke) {
		return err
	}
	if terr := tr.failure(); terr != nil {
		return unreachable(ctx, addr, terr)
	}
	if ctx.Err() != nil {
		return unreachable(ctx, addr, ctx.Err())
	}
	var he *core.KeeperHTTPError
	if errors.As(err, &he) {
		se := &ServerError{Host: addr, StatusCode: he.StatusCode, Code: truncate(he.ResultCode, 64), Message: truncate(he.Message, 200)}
		if se.Code == "key" {
			return newError(ErrUnknownKeyID, se, "keeper server at %s asked for a server public key that keeper's SDK does not know (%s)", addr, se.Message)
		}
		if se.Code == "throttled" || he.StatusCode == http.StatusTooManyRequests {
			return newError(ErrThrottled, se, "keeper server at %s is throttling requests; wait a minute and try again", addr)
		}
		return se
	}
	return unreadable(addr, err)
}

// checkConfig fails on a broken profile with a message naming the key,
// before any request: the SDK would otherwise start a bind with whatever
// token $KSM_TOKEN holds.
func checkConfig(cfg Config) error {
	var missing []string
	for _, k := range []struct{ name, v string }{
		{"clientId", cfg.ClientID}, {"privateKey", cfg.PrivateKey}, {"appKey", cfg.AppKey}, {"hostname", cfg.Hostname},
	} {
		if strings.TrimSpace(k.v) == "" {
			missing = append(missing, k.name)
		}
	}
	if len(missing) > 0 {
		return newError(ErrBadConfig, nil, "keeper config is missing %s", strings.Join(missing, ", "))
	}
	if b, err := base64.StdEncoding.DecodeString(cfg.AppKey); err != nil || len(b) != 32 {
		return newError(ErrBadConfig, nil, "keeper config: appKey must be base64 of 32 bytes")
	}
	if _, err := base64.StdEncoding.DecodeString(cfg.PrivateKey); err != nil {
		return newError(ErrBadConfig, nil, "keeper config: privateKey is not valid base64")
	}
	return nil
}

// convertSecrets turns the SDK's records into ksm's, keeping Keeper's
// field JSON as it came (numbers exact, lone values as lists).
func convertSecrets(resp *core.SecretsManagerResponse) *Secrets {
	s := &Secrets{Records: []Record{}, Folders: []Folder{}}
	for _, w := range strings.Split(resp.Warnings, "\n") {
		if w = strings.TrimSpace(w); w == skippedWarning {
			s.Warnings = append(s.Warnings, w)
		} else if w != "" {
			s.Warnings = append(s.Warnings, "server: "+truncate(w, 200))
		}
	}
	folderAt := map[string]int{}
	for _, r := range resp.Records {
		var d recordData
		if err := json.Unmarshal([]byte(r.RawJson), &d); err != nil {
			s.Warnings = append(s.Warnings, fmt.Sprintf("record %s: data is not record JSON; skipped", uidForMessage(r.Uid)))
			continue
		}
		rec := Record{
			UID: r.Uid, Type: d.Type, Title: d.Title, Notes: d.Notes,
			Fields: nonNil(d.Fields), Custom: nonNil(d.Custom),
			FolderUID: r.FolderUid(), Revision: r.Revision, IsEditable: r.IsEditable,
		}
		s.Records = append(s.Records, rec)
		if rec.FolderUID == "" {
			continue
		}
		i, ok := folderAt[rec.FolderUID]
		if !ok {
			i = len(s.Folders)
			folderAt[rec.FolderUID] = i
			s.Folders = append(s.Folders, Folder{UID: rec.FolderUID, RecordUIDs: []string{}})
		}
		s.Folders[i].RecordUIDs = append(s.Folders[i].RecordUIDs, rec.UID)
	}
	return s
}

// recordData is a record's decrypted JSON.
type recordData struct {
	Title  string  `json:"title"`
	Type   string  `json:"type"`
	Fields []Field `json:"fields"`
	Custom []Field `json:"custom"`
	Notes  string  `json:"notes"`
}

func nonNil(f []Field) []Field {
	if f == nil {
		return []Field{}
	}
	return f
}

// uidForMessage keeps a UID printable and short; UIDs are not secret.
func uidForMessage(uid string) string {
	if uid == "" {
		return "(no uid)"
	}
	return truncate(uid, 32)
}

// serverReason is the server's own words for a refusal, for the message.
func serverReason(err error) string {
	var se *ServerError
	if errors.As(err, &se) && se.Code != "" {
		if se.Message != "" {
			return se.Code + ": " + se.Message
		}
		return se.Code
	}
	return "access denied"
}

func (cl *Client) baseTransport() http.RoundTripper {
	if cl.HTTPClient != nil && cl.HTTPClient.Transport != nil {
		return cl.HTTPClient.Transport
	}
	return defaultTransport()
}

func (cl *Client) logger() hclog.Logger {
	if cl.Logger != nil {
		return cl.Logger
	}
	return hclog.NewNullLogger()
}
