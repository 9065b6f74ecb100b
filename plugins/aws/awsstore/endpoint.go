package awsstore

import (
	"errors"
	"net"
	"net/http"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ksm-cli/ksm/sdk"
)

// No keeper.ini setting chooses where AWS requests go: the endpoint comes
// only from the user's environment (AWS_ENDPOINT_URL_SECRETS_MANAGER,
// AWS_ENDPOINT_URL) and AWS config files, and otherwise from the region,
// inside AWS's own domains. Keys such as endpoint_url in a profile section
// are ignored, as Keeper's CLI ignores them. What the environment names is
// still checked: the secret holds a Keeper config, so it never travels in
// clear over a network.

// plainHTTPGuard is the Secrets Manager client's HTTP client: a request to
// an http:// endpoint is sent only to this machine (an emulator such as
// moto on 127.0.0.1); anywhere else it fails before it is sent.
type plainHTTPGuard struct{ next secretsmanager.HTTPClient }

func (g plainHTTPGuard) Do(r *http.Request) (*http.Response, error) {
	if !strings.EqualFold(r.URL.Scheme, "https") && !isLoopback(r.URL.Hostname()) {
		return nil, &plainEndpointError{endpoint: r.URL.Scheme + "://" + r.URL.Host}
	}
	return g.next.Do(r)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// plainEndpointError is a request plainHTTPGuard kept from leaving.
type plainEndpointError struct{ endpoint string }

func (e *plainEndpointError) Error() string {
	return "the Secrets Manager endpoint " + e.endpoint + " is plain HTTP to another machine"
}

// endpointFailure explains what plainHTTPGuard refused, or nil.
func endpointFailure(err error) *failure {
	var pe *plainEndpointError
	if !errors.As(err, &pe) {
		return nil
	}
	return &failure{code: sdk.CodeFailedPrecondition,
		reason: pe.Error() + ", so the config and the request's credentials would travel in clear; ksm sent nothing",
		hint:   "use an https:// endpoint (AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL or endpoint_url in the AWS config), or http:// on 127.0.0.1 for an emulator"}
}

// regionPattern is a region name as AWS spells them (us-east-1,
// us-gov-west-1): one DNS label. The SDK puts the region into the
// endpoint's host name and accepts dots there.
var regionPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
