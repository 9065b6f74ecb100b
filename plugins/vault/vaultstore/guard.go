package vaultstore

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/ksm-cli/ksm/sdk"
)

// maxAnswer bounds every answer read from Vault: the plugin protocol
// carries no more (internal/wire.MaxMessageSize; a test ties the two), and
// a config is about 1 KiB. A server that sends more is refused before its
// answer fills memory.
const maxAnswer = 4 << 20

// originGuard is the transport under every request the store makes. The
// Vault client follows one redirect (301, 302, 307) by sending the same
// request, token included, wherever Location says; it refuses only
// https→http. The guard lets a request through only to the origin (scheme,
// host and port) the address names, so a redirect to another host, port or
// scheme fails before anything is sent there. Vault's own redirects (a
// standby node naming the active one) are refused too: give the active
// node's address, or a load balancer's.
type originGuard struct {
	next   http.RoundTripper
	origin string // scheme://host:port, lower-case
}

// guardClient puts the guard under c's transport; address is the one the
// Vault client talks to (api.Client.Address: http://localhost for a
// unix:// address, VAULT_AGENT_ADDR's if set). An address that does not
// parse lets nothing through.
func guardClient(c *http.Client, address string) {
	origin := "invalid"
	if u, err := url.Parse(address); err == nil {
		origin = originOf(u)
	}
	c.Transport = &originGuard{next: c.Transport, origin: origin}
}

func (g *originGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if to := originOf(req.URL); to != g.origin {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &redirectError{from: g.origin, to: to}
	}
	resp, err := g.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > maxAnswer {
		resp.Body.Close()
		return nil, errAnswerTooLarge
	}
	resp.Body = &boundedBody{body: resp.Body, left: maxAnswer}
	return resp, nil
}

// originOf is u's scheme, host and port, with the scheme's default port.
func originOf(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return scheme + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// redirectError is a request the guard kept from leaving for another origin.
type redirectError struct{ from, to string }

func (e *redirectError) Error() string {
	return fmt.Sprintf("Vault at %s redirected the request to %s", e.from, e.to)
}

var errAnswerTooLarge = fmt.Errorf("the answer is larger than %d MiB", maxAnswer>>20)

// boundedBody fails a read past its limit instead of returning more.
type boundedBody struct {
	body io.ReadCloser
	left int64
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a body of exactly the limit from a longer one.
		var one [1]byte
		n, err := b.body.Read(one[:])
		if n > 0 {
			return 0, errAnswerTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.body.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *boundedBody) Close() error { return b.body.Close() }

// guardFailure explains what the guard refused, or nil.
func guardFailure(t target, err error) *sdk.Error {
	var re *redirectError
	switch {
	case errors.As(err, &re):
		return &sdk.Error{Code: sdk.CodeFailedPrecondition,
			Message: "Vault at " + t.address + " redirected the request to " + re.to + "; ksm sends the token only to the address in the profile",
			Hint:    "give --address the Vault node that answers itself (the active node, or a load balancer in front of the cluster)"}
	case errors.Is(err, errAnswerTooLarge):
		return &sdk.Error{Code: sdk.CodeFailedPrecondition,
			Message: fmt.Sprintf("Vault at %s sent an answer larger than %d MiB; ksm read no further", t.address, maxAnswer>>20),
			Hint:    "check --address and --path: a ksm config is about 1 KiB"}
	}
	return nil
}
