package keeper

import (
	"strings"
	"testing"
)

// vecToken is a well-formed token key: bytes 0..31, base64url.
const vecToken = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

func FuzzParseToken(f *testing.F) {
	f.Add("US:" + vecToken)
	f.Add("keeper.example.com:" + vecToken + "=")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := ParseToken(s)
		hostPart, keyPart, found := strings.Cut(strings.TrimSpace(s), ":")
		if !found {
			hostPart, keyPart = "", strings.TrimSpace(s)
		}
		if err == nil {
			if len(tok.Key()) != tokenKeySize || strings.Contains(tok.Host, ":") {
				t.Fatalf("accepted %q as host %q with %d key bytes", s, tok.Host, len(tok.Key()))
			}
			return
		}
		// A key-like part must never come back in the message. The host
		// part may (it names what is wrong), so it is taken out first.
		keyPart = strings.TrimSpace(keyPart)
		msg := err.Error()
		if h := strings.TrimSpace(hostPart); h != "" {
			msg = strings.ReplaceAll(msg, truncate(h, 64), "")
		}
		if len(keyPart) >= 20 && strings.Trim(keyPart, base64URLAlphabet) == "" && strings.Contains(msg, keyPart) {
			t.Fatalf("error %q echoes the key part", err)
		}
		if err.Error() != strings.ToLower(err.Error()[:1])+err.Error()[1:] {
			t.Fatalf("error %q starts upper-case", err)
		}
	})
}

const base64URLAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
