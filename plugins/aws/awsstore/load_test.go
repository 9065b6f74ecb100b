package awsstore

import (
	"context"
	"encoding/base64"
	"errors"
	"maps"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ksm-cli/ksm/internal/storecall"
	"github.com/ksm-cli/ksm/plugins/aws/awstest"
	"github.com/ksm-cli/ksm/shared"
)

var ec2Settings = shared.Settings{"provider": "ec2instance", "secret": "ksm-config"}

func TestLoadFormats(t *testing.T) {
	js := awstest.SampleConfigJSON()
	b64 := base64.StdEncoding.EncodeToString([]byte(js))
	cases := []struct {
		name   string
		secret fakeSecret
		ok     bool
	}{
		{"string: SDK JSON", fakeSecret{str: aws.String(js)}, true},
		{"string: compact JSON", fakeSecret{str: aws.String(strings.Join(strings.Fields(js), ""))}, true},
		{"string: base64", fakeSecret{str: aws.String(b64)}, true},
		{"string: base64url without padding", fakeSecret{str: aws.String(base64.RawURLEncoding.EncodeToString([]byte(js)))}, true},
		{"string: base64 wrapped over lines", fakeSecret{str: aws.String(b64[:40] + "\n" + b64[40:] + "\n")}, true},
		{"binary: SDK JSON", fakeSecret{bin: []byte(js)}, true},
		{"binary: base64", fakeSecret{bin: []byte(b64)}, true},
		{"string: plain text", fakeSecret{str: aws.String("correct horse battery staple")}, false},
		{"string: other JSON", fakeSecret{str: aws.String(`{"user":"u","password":"p4ss"}`)}, false},
		{"string: JSON array", fakeSecret{str: aws.String(`["a"]`)}, false},
		{"string: empty", fakeSecret{str: aws.String("")}, false},
		{"binary: random bytes", fakeSecret{bin: []byte{0, 1, 2, 0xff}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api := newFakeAPI()
			s := tc.secret
			api.secrets["ksm-config"] = &s
			cfg, err := storecall.Load(context.Background(), storeWith(api), ec2Settings)
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				if !maps.Equal(cfg, awstest.SampleConfig()) {
					t.Errorf("config %v", cfg)
				}
				return
			}
			if err == nil || shared.CodeOf(err) != shared.CodeInvalidArgument {
				t.Fatalf("error %v (code %v), want invalid argument", err, shared.CodeOf(err))
			}
			for _, w := range []string{`AWS secret "ksm-config"`, "does not hold a ksm config"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message lacks %q: %v", w, err)
				}
			}
			if strings.Contains(err.Error(), "p4ss") || strings.Contains(err.Error(), "horse") {
				t.Errorf("message shows the secret's value: %v", err)
			}
		})
	}
}

// responseError is what the SDK returns for an HTTP error it could not
// attribute to an AWS error code.
func responseError(status int, inner error) error {
	return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: inner}}
}

func TestErrorMapping(t *testing.T) {
	apiErr := func(code, msg string) error {
		return &smithy.OperationError{ServiceID: "Secrets Manager", OperationName: "GetSecretValue",
			Err: &smithy.GenericAPIError{Code: code, Message: msg}}
	}
	cases := []struct {
		name    string
		err     error
		want    shared.Code
		refused bool
		wantIn  []string
	}{
		{"not found", apiErr("ResourceNotFoundException", "Secrets Manager can't find the specified secret."),
			shared.CodeNotFound, false, []string{"no such secret", "--secret, --region"}},
		{"access denied", apiErr("AccessDeniedException", "User: arn:aws:iam::1:user/u is not authorized"),
			shared.CodePermissionDenied, true, []string{"access denied", "arn:aws:iam::1:user/u", "secretsmanager:GetSecretValue"}},
		{"kms denied", apiErr("DecryptionFailure", "cannot decrypt"), shared.CodePermissionDenied, true, []string{"kms:Decrypt"}},
		{"unrecognized client", apiErr("UnrecognizedClientException", "The security token included in the request is invalid."),
			shared.CodeUnauthenticated, true, []string{"credentials refused"}},
		{"expired token", apiErr("ExpiredTokenException", "The security token included in the request is expired"),
			shared.CodeUnauthenticated, true, []string{"expired"}},
		{"throttled", apiErr("ThrottlingException", "Rate exceeded"), shared.CodeUnavailable, false, []string{"throttled", "try again"}},
		{"internal error", apiErr("InternalServiceError", "boom"), shared.CodeUnavailable, false, []string{"unavailable"}},
		{"scheduled for deletion", apiErr("InvalidRequestException", "marked for deletion"),
			shared.CodeFailedPrecondition, false, []string{"restore-secret"}},
		{"bad parameter", apiErr("InvalidParameterException", "bad"), shared.CodeInvalidArgument, false, nil},
		{"unknown code", apiErr("WeirdException", "odd"), shared.CodeUnknown, false, []string{"WeirdException: odd"}},
		{"403 without a code", responseError(403, errors.New("deserialization failed")),
			shared.CodePermissionDenied, true, []string{"HTTP 403"}},
		{"401 without a code", responseError(401, errors.New("x")), shared.CodeUnauthenticated, true, []string{"HTTP 401"}},
		{"503 without a code", responseError(503, errors.New("x")), shared.CodeUnavailable, false, []string{"HTTP 503"}},
		{"XML error body", responseError(403, &smithy.DeserializationError{Err: errors.New("invalid character '<'"),
			Snapshot: []byte(`<?xml version="1.0"?><ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error></Errors></ErrorResponse>`)}),
			shared.CodeUnauthenticated, true, []string{"InvalidClientTokenId"}},
		{"network", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")},
			shared.CodeUnavailable, false, []string{"cannot reach AWS Secrets Manager", "AWS_ENDPOINT_URL_SECRETS_MANAGER"}},
		{"anything else", errors.New("strange"), shared.CodeUnknown, false, []string{"strange"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := asFailure(context.Background(), tc.err, opLoad)
			if f.code != tc.want || f.refused != tc.refused {
				t.Errorf("code %v refused %v, want %v %v (%s)", f.code, f.refused, tc.want, tc.refused, f.reason)
			}
			api := newFakeAPI()
			api.errs["Get"] = tc.err
			_, err := storecall.Load(context.Background(), storeWith(api), ec2Settings)
			if err == nil {
				t.Fatalf("Load: no error, want code %v", tc.want)
			}
			if shared.CodeOf(err) != tc.want {
				t.Errorf("Load: code %v, want %v: %v", shared.CodeOf(err), tc.want, err)
			}
			for _, w := range append(tc.wantIn, `"ksm-config" in us-east-1`, "ec2instance") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message lacks %q: %v", w, err)
				}
			}
		})
	}
}

func TestCallerDeadlineAndCancel(t *testing.T) {
	expired, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	canceled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	for _, tc := range []struct {
		ctx  context.Context
		want shared.Code
	}{{expired, shared.CodeDeadlineExceeded}, {canceled, shared.CodeCanceled}} {
		api := newFakeAPI()
		api.errs["Get"] = &smithy.OperationError{Err: tc.ctx.Err()}
		_, err := storecall.Load(tc.ctx, storeWith(api), shared.Settings{"fallback": "true"})
		if shared.CodeOf(err) != tc.want {
			t.Errorf("code %v, want %v: %v", shared.CodeOf(err), tc.want, err)
		}
		if len(api.calls) != 1 {
			t.Errorf("calls %v: a cancelled call must not fall back", api.calls)
		}
	}
}

func TestMessagesRedactCredentials(t *testing.T) {
	const keyID, secretKey = "AKIAREDACTME0000", "redact/me+secret-key"
	api := newFakeAPI()
	// An AWS message echoing what it was sent, as a signature error might.
	api.errs["Get"] = &smithy.GenericAPIError{Code: "SignatureDoesNotMatch",
		Message: "Credential=" + keyID + " key " + secretKey + " session FAKE-SESSION-KEY"}
	_, err := storecall.Load(context.Background(), storeWith(api), shared.Settings{"provider": "keys",
		"aws_access_key_id": keyID, "aws_secret_access_key": secretKey, "region": "us-east-1"})
	if err == nil {
		t.Fatal("no error")
	}
	for _, v := range []string{keyID, secretKey, "FAKE-SESSION-KEY"} {
		if strings.Contains(err.Error(), v) {
			t.Errorf("message shows %q: %v", v, err)
		}
	}
	if !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("message lacks the redaction mark: %v", err)
	}
}
