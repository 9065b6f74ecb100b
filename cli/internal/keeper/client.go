package keeper

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
)

// Defaults for the zero Client.
const (
	defaultMaxAttempts = 3
	defaultBackoff     = 2 * time.Second
	defaultMaxBackoff  = 10 * time.Second
	defaultTimeout     = 30 * time.Second
	maxResponseBytes   = 32 << 20
)

// defaultHTTPClient bounds a request even when the caller's ctx has no
// deadline; it uses the default transport (system roots, proxy variables).
var defaultHTTPClient = &http.Client{Timeout: defaultTimeout}

// Client talks Keeper's protocol. The zero value is ready to use.
type Client struct {
	// HTTPClient sends the requests; nil means a client with a 30s timeout.
	HTTPClient *http.Client
	// Logger gets debug lines (never a secret); nil discards them.
	Logger hclog.Logger
	// MaxAttempts bounds the tries of a throttled request; 0 means 3.
	MaxAttempts int
	// Backoff is the wait after the first throttled answer, doubling after
	// each; 0 means 2s. A server retry_after replaces it.
	Backoff time.Duration
	// MaxBackoff caps any single wait; 0 means 10s.
	MaxBackoff time.Duration
	// Sleep waits between retries; nil means a timer that honours ctx.
	// Tests replace it to run without waiting.
	Sleep func(ctx context.Context, d time.Duration) error
}

// call is one logical request: it may be sent more than once.
type call struct {
	host    string // host[:port] to connect to
	keyID   int
	keys    serverKeys
	device  *ecdsa.PrivateKey
	payload []byte
}

// post sends c to get_secret and returns the decrypted answer and the key
// id that worked. It switches the server key once when asked to and
// retries throttled answers with backoff.
func (cl *Client) post(ctx context.Context, c call) ([]byte, int, error) {
	log := cl.logger()
	switched := false
	for attempt := 1; ; {
		status, body, tk, err := cl.send(ctx, c)
		if err != nil {
			return nil, 0, err
		}
		if status == http.StatusOK {
			plain, err := gcmOpen(tk, body)
			if err != nil {
				log.Debug("response does not decrypt", "host", c.host, "bytes", len(body))
				return nil, 0, unreadable(c.host, err)
			}
			return plain, c.keyID, nil
		}
		se := parseServerError(c.host, status, body)
		switch {
		case se.Code == "key":
			newID, ok := keyIDFrom(body)
			if !ok {
				return nil, 0, newError(ErrBadResponse, se, "keeper server at %s asked to switch server public key but gave no usable key id", c.host)
			}
			if switched {
				return nil, 0, newError(ErrBadResponse, se, "keeper server at %s asked to switch server public key again (to id %d); giving up", c.host, newID)
			}
			if !c.keys.known(newID) {
				return nil, 0, unknownKeyID(newID)
			}
			log.Debug("server asked to switch server public key", "host", c.host, "from", c.keyID, "to", newID)
			c.keyID, switched = newID, true
		case isThrottle(status, body):
			if attempt >= cl.maxAttempts() {
				return nil, 0, newError(ErrThrottled, se, "keeper server at %s is throttling requests (tried %d times); wait a minute and try again", c.host, attempt)
			}
			wait := cl.backoff(attempt, body)
			log.Debug("throttled; retrying", "host", c.host, "attempt", attempt, "wait", wait)
			if err := cl.sleep(ctx, wait); err != nil {
				return nil, 0, newError(ErrThrottled, err, "keeper server at %s is throttling requests and the wait was cut short: %v", c.host, err)
			}
			attempt++
		default:
			return nil, 0, se
		}
	}
}

// send makes one HTTP exchange with a fresh transmission key.
func (cl *Client) send(ctx context.Context, c call) (int, []byte, []byte, error) {
	serverKey, err := c.keys.key(c.keyID)
	if err != nil {
		return 0, nil, nil, err
	}
	tk := make([]byte, aesKeySize)
	if _, err := rand.Read(tk); err != nil {
		return 0, nil, nil, err
	}
	encKey, err := sealTransmissionKey(tk, serverKey)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("encrypt transmission key: %w", err)
	}
	encBody, err := gcmSeal(tk, c.payload)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("encrypt request: %w", err)
	}
	sig, err := sign(c.device, append(append([]byte{}, encKey...), encBody...))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("sign request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://"+c.host+"/api/rest/sm/v1/get_secret", bytes.NewReader(encBody))
	if err != nil {
		return 0, nil, nil, newError(ErrUnknownRegion, nil, "keeper host %q is not usable in a URL", truncate(c.host, 64))
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("PublicKeyId", strconv.Itoa(c.keyID))
	req.Header.Set("TransmissionKey", base64.StdEncoding.EncodeToString(encKey))
	req.Header.Set("Authorization", "Signature "+base64.StdEncoding.EncodeToString(sig))

	cl.logger().Debug("keeper request", "host", c.host, "key_id", c.keyID, "bytes", len(encBody))
	resp, err := cl.httpClient().Do(req)
	if err != nil {
		return 0, nil, nil, unreachable(ctx, c.host, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return 0, nil, nil, unreachable(ctx, c.host, err)
	}
	if len(body) > maxResponseBytes {
		return 0, nil, nil, unreadable(c.host, errors.New("response too large"))
	}
	cl.logger().Debug("keeper response", "host", c.host, "status", resp.StatusCode, "bytes", len(body))
	return resp.StatusCode, body, tk, nil
}

// unreachable names the host and says whether time ran out; the cause is
// kept for errors.Is (context.DeadlineExceeded, *net.OpError, ...).
func unreachable(ctx context.Context, host string, err error) error {
	cause := err
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err // drop `Post "URL":`: the message names the host already
	}
	if ctx.Err() != nil {
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

// parseServerError reads Keeper's JSON error body; "result_code" is the
// older spelling of "error".
func parseServerError(host string, status int, body []byte) *ServerError {
	se := &ServerError{Host: host, StatusCode: status}
	var e struct {
		Error      string `json:"error"`
		ResultCode string `json:"result_code"`
		Message    string `json:"message"`
	}
	if json.Unmarshal(body, &e) == nil {
		se.Code = truncate(e.Error, 64)
		if se.Code == "" {
			se.Code = truncate(e.ResultCode, 64)
		}
		se.Message = truncate(e.Message, 200)
	}
	return se
}

// isThrottle: Keeper throttles with HTTP 403 and "throttled" in the body;
// a 429 means the same from anything in front of it.
func isThrottle(status int, body []byte) bool {
	return status == http.StatusTooManyRequests ||
		(status == http.StatusForbidden && bytes.Contains(body, []byte("throttled")))
}

// keyIDFrom reads key_id, which Keeper sends as a number or a string.
func keyIDFrom(body []byte) (int, bool) {
	var e struct {
		KeyID json.RawMessage `json:"key_id"`
	}
	if json.Unmarshal(body, &e) != nil {
		return 0, false
	}
	s := strings.Trim(string(e.KeyID), `"`)
	id, err := strconv.Atoi(s)
	return id, err == nil && id > 0
}

func (cl *Client) backoff(attempt int, body []byte) time.Duration {
	maxWait := cl.MaxBackoff
	if maxWait <= 0 {
		maxWait = defaultMaxBackoff
	}
	wait := cl.Backoff
	if wait <= 0 {
		wait = defaultBackoff
	}
	var e struct {
		RetryAfter float64 `json:"retry_after"`
	}
	if json.Unmarshal(body, &e) == nil && e.RetryAfter > 0 {
		wait = time.Duration(e.RetryAfter * float64(time.Second))
	} else {
		for i := 1; i < attempt && wait < maxWait; i++ {
			wait *= 2
		}
	}
	return min(wait, maxWait)
}

func (cl *Client) maxAttempts() int {
	if cl.MaxAttempts > 0 {
		return cl.MaxAttempts
	}
	return defaultMaxAttempts
}

func (cl *Client) sleep(ctx context.Context, d time.Duration) error {
	if cl.Sleep != nil {
		return cl.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (cl *Client) httpClient() *http.Client {
	if cl.HTTPClient != nil {
		return cl.HTTPClient
	}
	return defaultHTTPClient
}

func (cl *Client) logger() hclog.Logger {
	if cl.Logger != nil {
		return cl.Logger
	}
	return hclog.NewNullLogger()
}
