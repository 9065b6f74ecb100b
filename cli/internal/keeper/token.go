package keeper

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/keeper-security/secrets-manager-go/core"

	"github.com/ksm-cli/ksm/cli/internal/region"
)

// tokenHint ends every message about a malformed token: what one looks
// like and where to get one.
const tokenHint = "; a one-time access token looks like US:<43 base64url characters>; create one in the Keeper vault (Secrets Manager > your application > Devices > Add Device) or with Commander (`secrets-manager client add --app APP`)"

// tokenKeySize is the length of a one-time token's key: Keeper prints it
// as 43 characters of base64url without padding.
const tokenKeySize = 32

// clientIDTag is the message the SDK derives clientId with (unexported
// there as clientIdHashTag); ksm needs the id to redeem the token it was
// given rather than the one in $KSM_TOKEN.
const clientIDTag = "KEEPER_SECRETS_MANAGER_CLIENT_ID"

// Token is a parsed one-time access token. Printing it with fmt never
// shows the key.
type Token struct {
	// Host is the prefix before the first ':' (a region code such as "US",
	// or a host name), empty when the token had none.
	Host string
	key  []byte
}

// ParseToken reads "PREFIX:KEY" or a bare "KEY". The prefix is split on the
// first ':', so it cannot carry a port: give such a host separately. The
// key is base64url (padding optional) of 32 bytes. Errors never contain
// the key.
func ParseToken(s string) (Token, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Token{}, newError(ErrBadToken, nil, "token is empty")
	}
	prefix, key, hasPrefix := strings.Cut(s, ":")
	if !hasPrefix {
		key, prefix = prefix, ""
	}
	prefix, key = strings.TrimSpace(prefix), strings.TrimSpace(key)
	if hasPrefix {
		if prefix == "" {
			return Token{}, newError(ErrBadToken, nil, "token has nothing before ':'"+tokenHint)
		}
		if key == "" {
			if p, ok := echoablePrefix(prefix); ok {
				return Token{}, newError(ErrBadToken, nil, "token has no key part after '%s:'"+tokenHint, p)
			}
			return Token{}, newError(ErrBadToken, nil, "token has no key part after the ':'"+tokenHint)
		}
		if _, err := ResolveHost(prefix); err != nil {
			return Token{}, err
		}
	}
	if strings.Contains(key, ":") {
		return Token{}, newError(ErrBadToken, nil, "token has more than one ':': a host with a port cannot be a token prefix; give the host separately")
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(key, "="))
	if err != nil {
		return Token{}, newError(ErrBadToken, nil, "token key is not valid base64url"+tokenHint)
	}
	if len(raw) != tokenKeySize {
		return Token{}, newError(ErrBadToken, nil, "token key must be %d bytes, got %d"+tokenHint, tokenKeySize, len(raw))
	}
	return Token{Host: prefix, key: raw}, nil
}

// Key returns a copy of the token's 32 key bytes.
func (t Token) Key() []byte { return append([]byte(nil), t.key...) }

// ClientID returns the clientId this token binds as.
func (t Token) ClientID() string { return ClientID(t.key) }

// String shows the prefix only.
func (t Token) String() string {
	if t.Host == "" {
		return "[token]"
	}
	return t.Host + ":[token]"
}

// Format keeps %v, %+v, %#v and friends from printing the key.
func (t Token) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(t.String())) }

// ClientID is Keeper's clientId for a token key, as the SDK derives it.
func ClientID(tokenKey []byte) string { return core.Base64HmacFromString(tokenKey, clientIDTag) }

// echoablePrefix decides whether a prefix may appear in an error: region
// codes and host names may; anything else might be a misplaced key.
func echoablePrefix(p string) (string, bool) {
	if region.IsCode(p) || strings.Contains(p, ".") || len(p) <= 12 {
		return truncate(p, 64), true
	}
	return "", false
}
