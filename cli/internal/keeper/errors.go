package keeper

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"
)

// Sentinels for errors.Is. Every error this package returns about the
// server or a token matches one of them.
var (
	// ErrBadToken: the one-time token is malformed (no key, bad base64, wrong length).
	ErrBadToken = errors.New("malformed one-time token")
	// ErrUnknownRegion: a region prefix or hostname that is neither a known
	// region code nor a host name.
	ErrUnknownRegion = errors.New("unknown keeper region")
	// ErrTokenRejected: Keeper refused to bind the token: it is unknown,
	// expired or already used.
	ErrTokenRejected = errors.New("one-time token rejected")
	// ErrAccessDenied: Keeper answered access_denied (also matched by a
	// rejected token).
	ErrAccessDenied = errors.New("access denied")
	// ErrThrottled: Keeper kept throttling after every retry.
	ErrThrottled = errors.New("throttled")
	// ErrUnreachable: no answer from the server (DNS, connection, TLS, timeout).
	ErrUnreachable = errors.New("keeper server unreachable")
	// ErrBadResponse: the server answered something that is not the protocol.
	ErrBadResponse = errors.New("unreadable response")
	// ErrUnknownKeyID: a server public key id with no known key.
	ErrUnknownKeyID = errors.New("unknown server public key id")
	// ErrBadConfig: the client config lacks a key or holds an unusable value.
	ErrBadConfig = errors.New("unusable keeper config")
	// ErrServerKeyUnsupported answers --server-public-key: Keeper's Go SDK
	// encrypts each request's key only to the server keys compiled into it
	// (Keeper's published table, ids 7-18) and offers no way to add one, so
	// a private deployment's own key cannot be used.
	ErrServerKeyUnsupported = errors.New("--server-public-key is no longer supported: ksm talks to Keeper through Keeper's Go SDK, which encrypts only to Keeper's published server keys; drop the option (a server holding one of those keys works with -h HOST[:PORT])")
)

// kerr carries its own message, a sentinel kind for errors.Is, and the
// cause for errors.As. The message is written for a user and holds no secret.
type kerr struct {
	msg   string
	kind  error
	cause error
}

func newError(kind, cause error, format string, args ...any) error {
	return &kerr{msg: fmt.Sprintf(format, args...), kind: kind, cause: cause}
}

func (e *kerr) Error() string { return e.msg }

func (e *kerr) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

// ServerError is a non-200 answer from Keeper. Code and Message come from
// its JSON error body ({"error": ..., "message": ...}); both are empty when
// the body was not JSON.
type ServerError struct {
	Host       string
	StatusCode int
	Code       string
	Message    string
}

func (e *ServerError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("keeper server at %s answered HTTP %d %s", e.Host, e.StatusCode, strings.ToLower(http.StatusText(e.StatusCode)))
	}
	if e.Message == "" {
		return fmt.Sprintf("keeper server at %s answered HTTP %d: %s", e.Host, e.StatusCode, e.Code)
	}
	return fmt.Sprintf("keeper server at %s answered HTTP %d: %s: %s", e.Host, e.StatusCode, e.Code, e.Message)
}

// Is matches ErrAccessDenied and ErrThrottled by the server's error code.
func (e *ServerError) Is(target error) bool {
	switch target {
	case ErrAccessDenied:
		return e.Code == "access_denied"
	case ErrThrottled:
		return e.Code == "throttled"
	}
	return false
}

// truncate keeps server-provided text short and printable in one line.
func truncate(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "..."
	}
	return s
}
