package awsstore

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
	"github.com/hashicorp/go-hclog"

	"github.com/ksm-cli/ksm/internal/storecall"
	"github.com/ksm-cli/ksm/plugins/aws/awstest"
	"github.com/ksm-cli/ksm/shared"
)

// TestFallback drives the fallback decision with a fake per method: the
// chosen method's outcome, the fallback setting and the operation decide
// whether the default chain is tried once, and which outcome is reported.
func TestFallback(t *testing.T) {
	js := awstest.SampleConfigJSON()
	holding := func() SecretsAPI {
		a := newFakeAPI()
		a.secrets["ksm-config"] = &fakeSecret{str: aws.String(js)}
		return a
	}
	failing := func(code string) SecretsAPI {
		a := newFakeAPI()
		a.errs["Get"] = &smithy.GenericAPIError{Code: code, Message: code + " message"}
		return a
	}

	cases := []struct {
		name     string
		fallback bool
		save     bool
		primary  SecretsAPI // nil: connect fails with noCreds
		deflt    SecretsAPI // nil: connect fails with noCreds
		wantVias []string
		want     shared.Code // -1: success
		wantIn   []string
		wantOut  []string
	}{
		{name: "success never falls back", fallback: true, primary: holding(), deflt: holding(),
			wantVias: []string{methodEC2}, want: -1},
		{name: "no credentials, fallback off", primary: nil, deflt: holding(),
			wantVias: []string{methodEC2}, want: shared.CodeUnauthenticated,
			wantIn: []string{"ec2instance", "add --fallback"}, wantOut: []string{"failed too"}},
		{name: "no credentials, fallback succeeds", fallback: true, primary: nil, deflt: holding(),
			wantVias: []string{methodEC2, viaDefaultChain}, want: -1},
		{name: "denied, fallback succeeds", fallback: true, primary: failing("AccessDeniedException"), deflt: holding(),
			wantVias: []string{methodEC2, viaDefaultChain}, want: -1},
		{name: "expired, fallback succeeds", fallback: true, primary: failing("ExpiredTokenException"), deflt: holding(),
			wantVias: []string{methodEC2, viaDefaultChain}, want: -1},
		{name: "not found is not a credential problem", fallback: true, primary: failing("ResourceNotFoundException"), deflt: holding(),
			wantVias: []string{methodEC2}, want: shared.CodeNotFound, wantOut: []string{"fallback"}},
		{name: "throttling is not a credential problem", fallback: true, primary: failing("ThrottlingException"), deflt: holding(),
			wantVias: []string{methodEC2}, want: shared.CodeUnavailable},
		{name: "both without credentials: the chosen method's hint", fallback: true, primary: nil, deflt: nil,
			wantVias: []string{methodEC2, viaDefaultChain}, want: shared.CodeUnauthenticated,
			wantIn:  []string{"ec2instance", "failed too", "no credentials from the default AWS credential chain", "run on an EC2 instance"},
			wantOut: []string{"add --fallback"}},
		{name: "no credentials, then denied: the denial is reported", fallback: true, primary: nil, deflt: failing("AccessDeniedException"),
			wantVias: []string{methodEC2, viaDefaultChain}, want: shared.CodePermissionDenied,
			wantIn: []string{"failed too", "access denied", "secretsmanager:GetSecretValue"}},
		{name: "denied, then no credentials: the denial is reported", fallback: true, primary: failing("AccessDeniedException"), deflt: nil,
			wantVias: []string{methodEC2, viaDefaultChain}, want: shared.CodePermissionDenied,
			wantIn: []string{"access denied", "failed too"}},
		{name: "writes never fall back", fallback: true, save: true, primary: failing("AccessDeniedException"), deflt: holding(),
			wantVias: []string{methodEC2}, want: shared.CodePermissionDenied,
			wantIn: []string{"cannot save to", "PutSecretValue"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &fakeConn{api: map[string]SecretsAPI{}, errs: map[string]error{}}
			for via, api := range map[string]SecretsAPI{methodEC2: tc.primary, viaDefaultChain: tc.deflt} {
				if api == nil {
					c.errs[via] = credFailure(context.Background(), target{fallback: tc.fallback}, via, errors.New("nothing there"))
				} else {
					c.api[via] = api
				}
			}
			s := &Store{log: hclog.NewNullLogger(), connect: c.connect}
			settings := shared.Settings{"secret": "ksm-config", "fallback": map[bool]string{true: "true", false: ""}[tc.fallback]}
			var err error
			if tc.save {
				err = storecall.Save(context.Background(), s, shared.SaveRequest{Settings: settings, Config: awstest.SampleConfig()})
			} else {
				_, err = storecall.Load(context.Background(), s, settings)
			}
			if !slices.Equal(c.vias, tc.wantVias) {
				t.Errorf("methods tried %v, want %v", c.vias, tc.wantVias)
			}
			if tc.want == -1 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want code %v", tc.want)
			}
			if shared.CodeOf(err) != tc.want {
				t.Errorf("code %v, want %v: %v", shared.CodeOf(err), tc.want, err)
			}
			for _, w := range append(tc.wantIn, `AWS secret "ksm-config"`) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message lacks %q: %v", w, err)
				}
			}
			for _, w := range tc.wantOut {
				if strings.Contains(err.Error(), w) {
					t.Errorf("message has %q: %v", w, err)
				}
			}
		})
	}
}
