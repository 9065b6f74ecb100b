package awsstore

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"net"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/ksm-cli/ksm/sdk"
)

// AWS error codes, by what they mean for the user.
var (
	deniedCodes = set("AccessDeniedException", "AccessDenied", "DecryptionFailure",
		"KMSAccessDeniedException", "KMSDisabledException")
	unauthenticatedCodes = set("UnrecognizedClientException", "InvalidClientTokenId",
		"InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature",
		"MissingAuthenticationToken", "MissingAuthenticationTokenException", "AuthFailure",
		"ExpiredTokenException", "ExpiredToken", "RequestExpired", "InvalidAccessKeyId")
	throttlingCodes = set("ThrottlingException", "Throttling", "TooManyRequestsException",
		"RequestLimitExceeded", "RequestThrottled", "RequestThrottledException", "SlowDown")
	unavailableCodes = set("InternalServiceError", "InternalServiceErrorException",
		"InternalFailure", "ServiceUnavailable", "ServiceUnavailableException")
)

func set(s ...string) map[string]bool {
	m := make(map[string]bool, len(s))
	for _, v := range s {
		m[v] = true
	}
	return m
}

// apiFailure classifies an error from a Secrets Manager call (after the
// SDK's own bounded retries).
func apiFailure(err error, op operation) *failure {
	var ae smithy.APIError
	if errors.As(err, &ae) || xmlAPIError(err, &ae) {
		code := ae.ErrorCode()
		detail := code
		if m := sdk.OneLine(ae.ErrorMessage()); m != "" {
			detail += ": " + m
		}
		switch {
		case code == "ResourceNotFoundException":
			return &failure{code: sdk.CodeNotFound, reason: "no such secret (" + detail + ")",
				hint: "check the secret name and region (--secret, --region)"}
		case deniedCodes[code]:
			return &failure{code: sdk.CodePermissionDenied, refused: true,
				reason: "access denied (" + detail + ")", hint: op.permissionHint}
		case unauthenticatedCodes[code]:
			return &failure{code: sdk.CodeUnauthenticated, refused: true,
				reason: "credentials refused (" + detail + ")",
				hint:   "the credentials are wrong, inactive or expired: renew them or run `ksm profile setup --type aws` again"}
		case throttlingCodes[code]:
			return &failure{code: sdk.CodeUnavailable, reason: "throttled by AWS (" + code + ")",
				hint: "try again in a moment"}
		case unavailableCodes[code]:
			return &failure{code: sdk.CodeUnavailable, reason: "AWS Secrets Manager is unavailable (" + detail + ")",
				hint: "try again later"}
		case code == "InvalidParameterException":
			return &failure{code: sdk.CodeInvalidArgument, reason: "rejected by AWS (" + detail + ")",
				hint: "check --secret"}
		case code == "ResourceExistsException":
			return &failure{code: sdk.CodeAlreadyExists, reason: "the secret already exists (" + detail + ")",
				hint: "try again"}
		case code == "InvalidRequestException":
			return &failure{code: sdk.CodeFailedPrecondition, reason: "rejected by AWS (" + detail + ")",
				hint: "a secret scheduled for deletion must be restored first (aws secretsmanager restore-secret)"}
		}
		if f := statusFailure(err, op); f != nil {
			f.reason += " (" + detail + ")"
			return f
		}
		return &failure{code: sdk.CodeUnknown, reason: "AWS error (" + detail + ")"}
	}
	if f := statusFailure(err, op); f != nil {
		return f
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return &failure{code: sdk.CodeUnavailable, reason: "cannot reach AWS Secrets Manager (" + sdk.OneLine(ne.Error()) + ")",
			hint: "check the network, or AWS_ENDPOINT_URL_SECRETS_MANAGER if you set it"}
	}
	return &failure{code: sdk.CodeUnknown, reason: sdk.OneLine(err.Error())}
}

// xmlAPIError recovers the AWS error code from an XML error body the SDK's
// JSON protocol could not read (moto's IAM layer, some proxies).
func xmlAPIError(err error, target *smithy.APIError) bool {
	var de *smithy.DeserializationError
	if !errors.As(err, &de) || len(de.Snapshot) == 0 {
		return false
	}
	var body struct {
		Code    string `xml:"Error>Code"`
		Message string `xml:"Error>Message"`
	}
	snap := de.Snapshot
	// <ErrorResponse><Errors><Error>... as well as <ErrorResponse><Error>...
	if i := bytes.Index(snap, []byte("<Errors>")); i >= 0 {
		snap = snap[i:]
	}
	if xml.Unmarshal(snap, &body) != nil || body.Code == "" {
		return false
	}
	*target = &smithy.GenericAPIError{Code: body.Code, Message: body.Message}
	return true
}

// statusFailure classifies by HTTP status what carries no usable AWS error
// code (an emulator or proxy answering in another protocol).
func statusFailure(err error, op operation) *failure {
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		return nil
	}
	st := re.HTTPStatusCode()
	what := fmt.Sprintf("HTTP %d %s", st, http.StatusText(st))
	switch {
	case st == http.StatusUnauthorized:
		return &failure{code: sdk.CodeUnauthenticated, refused: true, reason: "credentials refused: " + what,
			hint: "the credentials are wrong, inactive or expired: renew them or run `ksm profile setup --type aws` again"}
	case st == http.StatusForbidden:
		return &failure{code: sdk.CodePermissionDenied, refused: true, reason: "access denied: " + what, hint: op.permissionHint}
	case st == http.StatusNotFound:
		return &failure{code: sdk.CodeNotFound, reason: "not found: " + what,
			hint: "check the secret name and region (--secret, --region)"}
	case st == http.StatusTooManyRequests:
		return &failure{code: sdk.CodeUnavailable, reason: "throttled by AWS: " + what, hint: "try again in a moment"}
	case st >= 500:
		return &failure{code: sdk.CodeUnavailable, reason: "AWS Secrets Manager failed: " + what, hint: "try again later"}
	}
	return nil
}
