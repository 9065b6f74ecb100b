package awsstore

import (
	"context"
	"errors"
	"net"
	"strings"

	"github.com/ksm-cli/ksm/sdk"
)

// failure is the classified outcome of one attempt: what becomes an
// *sdk.Error (code, reason as its Message, hint as its Hint) once the
// attempts are over, with what the fallback decision needs. Its reason and
// hint never hold a credential or config value.
type failure struct {
	code   sdk.Code
	reason string // what went wrong, lower-case
	hint   string // what to do about it
	// refused: the method got no credentials or AWS refused them; only
	// then may the default credential chain do better.
	refused bool
	// noCreds: the method got no credentials at all (a subset of refused).
	noCreds bool
	region  string // the region talked to, when known
}

func (f *failure) Error() string { return f.reason }

// asFailure classifies err from an attempt; a *failure passes through.
func asFailure(ctx context.Context, err error, op operation) *failure {
	var f *failure
	if errors.As(err, &f) {
		return f
	}
	if f := ctxFailure(ctx); f != nil {
		return f
	}
	if f := endpointFailure(err); f != nil {
		return f
	}
	return apiFailure(err, op)
}

// ctxFailure reports the caller's deadline or cancellation, which beats
// whatever error it caused further down.
func ctxFailure(ctx context.Context) *failure {
	e := sdk.ContextError(ctx)
	if e == nil {
		return nil
	}
	f := &failure{code: e.Code, reason: e.Message}
	if e.Code == sdk.CodeDeadlineExceeded {
		f.hint = "try again; if it keeps timing out, check the network path to AWS"
	}
	return f
}

// credFailure explains why the credential method via got no credentials.
func credFailure(ctx context.Context, t target, via string, err error) *failure {
	if f := ctxFailure(ctx); f != nil {
		if f.code == sdk.CodeDeadlineExceeded {
			f.reason = "timed out getting credentials from " + credSource(t, via)
		}
		return f
	}
	f := &failure{code: sdk.CodeUnauthenticated, refused: true, noCreds: true,
		reason: "no credentials from " + credSource(t, via) + " (" + causeOf(err) + ")"}
	switch via {
	case methodEC2:
		f.hint = "run on an EC2 instance with an instance role, or set up the profile with --credentials profile or keys"
	case methodProfile:
		f.hint = "check that profile in the AWS config files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE) or choose another with --credentials-profile"
	case methodKeys:
		f.hint = "run `ksm profile setup --type aws --credentials keys` again"
	default:
		f.hint = "configure AWS credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or an instance role)"
	}
	if !t.fallback && via != viaDefaultChain {
		f.hint += ", or add --fallback to try the default AWS credential chain"
	}
	return f
}

// causeOf is a short, single-line account of a credential error.
func causeOf(err error) string {
	var op *net.OpError
	switch {
	case errors.As(err, &op):
		return "unreachable: " + sdk.OneLine(op.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer in time"
	case strings.Contains(err.Error(), "access disabled to EC2 IMDS"):
		return "disabled by AWS_EC2_METADATA_DISABLED"
	}
	return sdk.OneLine(err.Error())
}
