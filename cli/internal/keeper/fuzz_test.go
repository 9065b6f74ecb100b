package keeper

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
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

// FuzzServerAnswer: whatever a server answers (status and body), Fetch
// ends, within its ctx, with one clean line naming the host, and the SDK
// never panics out of the door.
func FuzzServerAnswer(f *testing.F) {
	f.Add(200, []byte("not keeper"))
	f.Add(403, []byte(`{"error":"throttled","retry_after":0.001}`))
	f.Add(403, []byte(`{"error":"key","key_id":"11"}`))
	f.Add(403, []byte(`{"result_code":"invalid_client_version","additional_info":"x"}`))
	f.Add(500, []byte(`{"error":{"nested":[1,2]},"message":null}`))
	f.Add(302, []byte(""))
	cfg := boundConfig(f)
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 599 {
			return
		}
		base := roundTripFunc(func(*http.Request) (*http.Response, error) {
			return answer(status, bytes.NewReader(body), http.Header{"Location": {"https://elsewhere.example/"}}), nil
		})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c := &Client{HTTPClient: &http.Client{Transport: base}}
		_, err := c.Fetch(ctx, cfg)
		if err == nil {
			t.Fatal("a made-up answer was accepted")
		}
		if ctx.Err() != nil {
			t.Fatalf("no answer within 5s: %v", err)
		}
		if msg := err.Error(); strings.ContainsAny(msg, "\n\r\x1b") || !strings.Contains(msg, "keeper.example.com:8443") {
			t.Fatalf("error is not one line naming the host: %q", msg)
		}
	})
}
