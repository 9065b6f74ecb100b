package keeper

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseToken(t *testing.T) {
	key := vecToken
	tests := []struct {
		in       string
		wantHost string
		wantErr  string // exact message; "" means success
		kind     error
	}{
		{in: key, wantHost: ""},
		{in: "US:" + key, wantHost: "US"},
		{in: "eu:" + key, wantHost: "eu"},
		{in: "US_GOV:" + key, wantHost: "US_GOV"},
		{in: "keeper.example.com:" + key, wantHost: "keeper.example.com"},
		{in: "  US:" + key + "=  ", wantHost: "US"},
		{in: "localhost:" + key, wantHost: "localhost"},
		{in: "", wantErr: "token is empty", kind: ErrBadToken},
		{in: "US:", wantErr: "token has no key part after 'US:'" + tokenHint, kind: ErrBadToken},
		{in: "US:   ", wantErr: "token has no key part after 'US:'" + tokenHint, kind: ErrBadToken},
		{in: ":" + key, wantErr: "token has nothing before ':'" + tokenHint, kind: ErrBadToken},
		{in: "US:" + key[:20] + "!" + key[21:], wantErr: "token key is not valid base64url" + tokenHint, kind: ErrBadToken},
		{in: "US:" + strings.ReplaceAll(key, "A", "+"), wantErr: "token key is not valid base64url" + tokenHint, kind: ErrBadToken},
		{in: "US:" + key[:40], wantErr: "token key must be 32 bytes, got 30" + tokenHint, kind: ErrBadToken},
		{in: "US:" + key + "AAAA", wantErr: "token key must be 32 bytes, got 35" + tokenHint, kind: ErrBadToken},
		{in: "127.0.0.1:8443:" + key, wantErr: "token has more than one ':': a host with a port cannot be a token prefix; give the host separately", kind: ErrBadToken},
		{in: "XX:" + key, wantErr: `unknown region "XX": use one of US, EU, AU, GOV, US_GOV, JP, CA, or a host name`, kind: ErrUnknownRegion},
		// A key pasted before the ':' must not be echoed back.
		{in: key + ":", wantErr: "token has no key part after the ':'" + tokenHint, kind: ErrBadToken},
		{in: key + ":" + key, wantErr: "unknown region: use one of US, EU, AU, GOV, US_GOV, JP, CA, or a host name", kind: ErrUnknownRegion},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			tok, err := ParseToken(tt.in)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("error: %v", err)
				}
				if tok.Host != tt.wantHost || len(tok.Key()) != 32 {
					t.Fatalf("got host %q, %d key bytes", tok.Host, len(tok.Key()))
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted, want %q", tt.wantErr)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("error = %q, want %q", err, tt.wantErr)
			}
			if !errors.Is(err, tt.kind) {
				t.Errorf("error %q does not match %v", err, tt.kind)
			}
			if strings.Contains(err.Error(), key[:16]) {
				t.Errorf("error leaks the key: %q", err)
			}
		})
	}
}

func TestTokenNeverPrintsKey(t *testing.T) {
	tok, err := ParseToken("EU:" + vecToken)
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out := fmt.Sprintf(verb, tok)
		if strings.Contains(out, vecToken[:10]) || strings.Contains(out, "0001020304") || strings.Contains(out, "[0 1 2") {
			t.Errorf("%s printed the key: %s", verb, out)
		}
		if !strings.Contains(out, "EU") {
			t.Errorf("%s lost the prefix: %s", verb, out)
		}
	}
}

func TestResolveHost(t *testing.T) {
	tests := []struct {
		in, want string
		kind     error
	}{
		{in: "US", want: "keepersecurity.com"},
		{in: "eu", want: "keepersecurity.eu"},
		{in: "GOV", want: "govcloud.keepersecurity.us"},
		{in: "US_GOV", want: "govcloud.keepersecurity.us"},
		{in: "JP", want: "keepersecurity.jp"},
		{in: "CA", want: "keepersecurity.ca"},
		{in: "AU", want: "keepersecurity.com.au"},
		{in: "keepersecurity.com", want: "keepersecurity.com"},
		{in: "127.0.0.1:8443", want: "127.0.0.1:8443"},
		{in: "localhost:9", want: "localhost:9"},
		{in: "[::1]:8443", want: "[::1]:8443"},
		{in: "::1", want: "::1"},
		{in: "", kind: ErrUnknownRegion},
		{in: "XX", kind: ErrUnknownRegion},
		{in: "https://keepersecurity.com", kind: ErrUnknownRegion},
		{in: "keeper security.com", kind: ErrUnknownRegion},
	}
	for _, tt := range tests {
		got, err := ResolveHost(tt.in)
		if tt.kind != nil {
			if !errors.Is(err, tt.kind) {
				t.Errorf("ResolveHost(%q) = %q, %v; want %v", tt.in, got, err, tt.kind)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ResolveHost(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
