package vaultstore

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/hashicorp/vault/api"

	"github.com/ksm-cli/ksm/sdk"
)

// An operation's classified outcome is an *sdk.Error: Message says what
// went wrong (lower-case), Hint what to do about it. Neither holds a
// token, secret id, JWT or config value.

// request is one Vault API call, for messages: what it needed.
type request struct {
	path         string   // API path, e.g. secret/data/ksm/prod
	capabilities []string // the policy capabilities it needs: read, create, update
}

// need says what a policy must grant for req, as a hint.
func (req request) need() string {
	q := make([]string, len(req.capabilities))
	for i, c := range req.capabilities {
		q[i] = strconv.Quote(c)
	}
	return fmt.Sprintf("grant the token's policy %s on path %q", strings.Join(q, " and "), req.path)
}

// ctxFailure reports the caller's deadline or cancellation, which beats
// whatever error it caused further down.
func ctxFailure(ctx context.Context, t target) *sdk.Error {
	f := sdk.ContextError(ctx)
	if f != nil && f.Code == sdk.CodeDeadlineExceeded {
		f.Message = "no answer from " + t.address + " in time"
		f.Hint = "check that Vault is up and reachable from here (VAULT_ADDR, proxies, firewalls)"
	}
	return f
}

// classify explains err from a Vault call. A *sdk.Error passes through.
func classify(ctx context.Context, t target, req request, err error) *sdk.Error {
	var f *sdk.Error
	if errors.As(err, &f) {
		return f
	}
	if f := ctxFailure(ctx, t); f != nil {
		return f
	}
	if f := guardFailure(t, err); f != nil {
		return f
	}
	var re *api.ResponseError
	if errors.As(err, &re) {
		return responseFailure(t, req, re)
	}
	return transportFailure(t, err)
}

// responseFailure explains an error status from Vault.
func responseFailure(t target, req request, re *api.ResponseError) *sdk.Error {
	detail := vaultErrors(re)
	switch {
	case re.StatusCode == http.StatusServiceUnavailable && containsAny(detail, "sealed"):
		return &sdk.Error{Code: sdk.CodeUnavailable, Message: "Vault at " + t.address + " is sealed",
			Hint: "ask its operators to unseal it (vault operator unseal), then try again"}
	case re.StatusCode == http.StatusForbidden:
		return &sdk.Error{Code: sdk.CodePermissionDenied,
			Message: fmt.Sprintf("permission denied on %s (%s)", req.path, detail),
			Hint:    req.need() + " (Vault also answers so for a mount that does not exist: check --mount and --path)"}
	case re.StatusCode == http.StatusNotFound && containsAny(detail, "no handler for route"):
		return &sdk.Error{Code: sdk.CodeNotFound, Message: fmt.Sprintf("no secrets engine is mounted at %s/", t.mount),
			Hint: "check --mount (`vault secrets list` shows the mounts)" + namespaceHint(t)}
	case re.StatusCode == http.StatusTooManyRequests:
		return &sdk.Error{Code: sdk.CodeUnavailable, Message: "Vault refused the request: rate limit reached (" + detail + ")",
			Hint: "try again in a moment"}
	case re.StatusCode >= 500:
		return &sdk.Error{Code: sdk.CodeUnavailable,
			Message: fmt.Sprintf("Vault failed: HTTP %d %s (%s)", re.StatusCode, http.StatusText(re.StatusCode), detail),
			Hint:    "try again later, or ask Vault's operators"}
	case re.StatusCode == http.StatusBadRequest:
		return &sdk.Error{Code: sdk.CodeInvalidArgument, Message: fmt.Sprintf("Vault rejected the request to %s (%s)", req.path, detail)}
	}
	return &sdk.Error{Code: sdk.CodeUnknown,
		Message: fmt.Sprintf("HTTP %d %s from Vault for %s (%s)", re.StatusCode, http.StatusText(re.StatusCode), req.path, detail)}
}

// vaultErrors is Vault's own account of an error, on one line. A body
// Vault did not write as JSON (a proxy's page) is not repeated.
func vaultErrors(re *api.ResponseError) string {
	if re.RawError || len(re.Errors) == 0 {
		return "no error message"
	}
	var parts []string
	for _, e := range re.Errors {
		// Vault joins several errors as "2 errors occurred:\n\t* a\n\t* b".
		for _, line := range strings.Split(e, "\n") {
			line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "*"))
			if line != "" && !strings.HasSuffix(line, " occurred:") {
				parts = append(parts, line)
			}
		}
	}
	return sdk.OneLine(strings.Join(parts, "; "))
}

// transportFailure explains an error before any answer from Vault.
func transportFailure(t target, err error) *sdk.Error {
	var (
		unknownCA  x509.UnknownAuthorityError
		hostname   x509.HostnameError
		invalid    x509.CertificateInvalidError
		recordHdr  tls.RecordHeaderError
		certVerify *tls.CertificateVerificationError
		alert      tls.AlertError
		rootsErr   x509.SystemRootsError
		constraint x509.ConstraintViolationError
		critical   x509.UnhandledCriticalExtension
		insecure   x509.InsecureAlgorithmError
		opErr      *net.OpError
		dnsErr     *net.DNSError
	)
	tlsHint := "set VAULT_CACERT (a PEM file) or VAULT_CAPATH (a directory) to the CA that signed Vault's certificate"
	switch {
	case errors.As(err, &unknownCA):
		return &sdk.Error{Code: sdk.CodeUnavailable,
			Message: "TLS failure talking to " + t.address + ": its certificate is signed by an unknown authority", Hint: tlsHint}
	case errors.As(err, &hostname):
		return &sdk.Error{Code: sdk.CodeUnavailable,
			Message: "TLS failure talking to " + t.address + ": " + sdk.OneLine(hostname.Error()),
			Hint:    "use the host name the certificate names in --address, or set VAULT_TLS_SERVER_NAME"}
	case errors.As(err, &invalid), errors.As(err, &certVerify):
		return &sdk.Error{Code: sdk.CodeUnavailable, Message: "TLS failure talking to " + t.address + ": " + sdk.OneLine(err.Error()), Hint: tlsHint}
	case errors.As(err, &recordHdr), plainHTTPReply(err):
		return &sdk.Error{Code: sdk.CodeUnavailable,
			Message: "TLS failure talking to " + t.address + ": the server does not speak TLS there",
			Hint:    "use http:// in --address if this Vault serves plain HTTP"}
	case errors.As(err, &alert), errors.As(err, &rootsErr), errors.As(err, &constraint), errors.As(err, &critical),
		errors.As(err, &insecure), tlsAlert(err):
		return &sdk.Error{Code: sdk.CodeUnavailable, Message: "TLS failure talking to " + t.address + ": " + sdk.OneLine(lastPart(err)), Hint: tlsHint}
	case errors.As(err, &dnsErr):
		return &sdk.Error{Code: sdk.CodeUnavailable, Message: "cannot resolve the host of " + t.address + " (" + sdk.OneLine(dnsErr.Error()) + ")",
			Hint: "check --address and the DNS"}
	case errors.As(err, &opErr):
		return &sdk.Error{Code: sdk.CodeUnavailable, Message: "cannot reach Vault at " + t.address + " (" + sdk.OneLine(lastPart(err)) + ")",
			Hint: "check that Vault is running and --address is right"}
	}
	return &sdk.Error{Code: sdk.CodeUnavailable, Message: "cannot talk to Vault at " + t.address + " (" + sdk.OneLine(lastPart(err)) + ")",
		Hint: "check that Vault is running and --address is right"}
}

// tlsAlert: crypto/tls reports a TLS alert it sent or received as a
// net.OpError whose Op says which.
func tlsAlert(err error) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && (opErr.Op == "local error" || opErr.Op == "remote error")
}

// plainHTTPWording is net/http's error when an https:// address answers in
// plain HTTP; it has no type (the tls.RecordHeaderError is dropped), so
// this is the one match on its text, pinned by TestPlainHTTPWording.
const plainHTTPWording = "server gave HTTP response to HTTPS client"

func plainHTTPReply(err error) bool { return strings.Contains(err.Error(), plainHTTPWording) }

// lastPart drops the "Get \"https://...\": " prefix of a url.Error.
func lastPart(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, "\": "); i >= 0 {
		return s[i+3:]
	}
	return s
}

func namespaceHint(t target) string {
	if t.namespace != "" {
		return " and --namespace " + t.namespace
	}
	return ""
}

func containsAny(s string, subs ...string) bool {
	s = strings.ToLower(s)
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
