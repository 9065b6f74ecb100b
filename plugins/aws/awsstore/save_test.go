package awsstore

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/ksm-cli/ksm/internal/storecall"
	"github.com/ksm-cli/ksm/plugins/aws/awstest"
	"github.com/ksm-cli/ksm/shared"
)

func TestSaveSteps(t *testing.T) {
	js := awstest.SampleConfigJSON()
	other := awstest.SampleConfig()
	other[shared.KeyHostname] = "keepersecurity.eu"
	otherJS := string(shared.MarshalConfig(other))
	const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ksm-AbCdEf"

	cases := []struct {
		name      string
		secret    string
		existing  *fakeSecret // nil: no such secret
		overwrite bool
		createErr error
		wantCalls []string
		want      shared.Code // -1: success
		wantValue string      // the value afterwards
	}{
		{name: "create", secret: "ksm-config", wantCalls: []string{"Get", "Create"}, want: -1, wantValue: js},
		{name: "put over another config", secret: "ksm-config", existing: &fakeSecret{str: aws.String(otherJS)},
			wantCalls: []string{"Get", "Put"}, want: -1, wantValue: js},
		{name: "put over a binary config", secret: "ksm-config", existing: &fakeSecret{bin: []byte(otherJS)},
			wantCalls: []string{"Get", "Put"}, want: -1, wantValue: js},
		{name: "same value: nothing to write", secret: "ksm-config", existing: &fakeSecret{str: aws.String(js)},
			wantCalls: []string{"Get"}, want: -1, wantValue: js},
		{name: "refuse another value", secret: "ksm-config", existing: &fakeSecret{str: aws.String("s3cr3t")},
			wantCalls: []string{"Get"}, want: shared.CodeFailedPrecondition, wantValue: "s3cr3t"},
		{name: "overwrite another value", secret: "ksm-config", existing: &fakeSecret{str: aws.String("s3cr3t")}, overwrite: true,
			wantCalls: []string{"Get", "Put"}, want: -1, wantValue: js},
		{name: "an empty value is not refused", secret: "ksm-config", existing: &fakeSecret{str: aws.String(" ")},
			wantCalls: []string{"Get", "Put"}, want: -1, wantValue: js},
		{name: "exists without a value", secret: "ksm-config", existing: &fakeSecret{},
			wantCalls: []string{"Get", "Create", "Put"}, want: -1, wantValue: js},
		{name: "by ARN", secret: arn, existing: &fakeSecret{str: aws.String(otherJS)},
			wantCalls: []string{"Get", "Put"}, want: -1, wantValue: js},
		{name: "by ARN, missing: never created", secret: arn,
			wantCalls: []string{"Get", "Put"}, want: shared.CodeNotFound},
		{name: "create denied", secret: "ksm-config", createErr: &smithy.GenericAPIError{Code: "AccessDeniedException"},
			wantCalls: []string{"Get", "Create"}, want: shared.CodePermissionDenied},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api := newFakeAPI()
			if tc.existing != nil {
				api.secrets[tc.secret] = tc.existing
			}
			if tc.createErr != nil {
				api.errs["Create"] = tc.createErr
			}
			err := storecall.Save(context.Background(), storeWith(api), shared.SaveRequest{
				Settings: shared.Settings{"secret": tc.secret}, Config: awstest.SampleConfig(), Overwrite: tc.overwrite})
			if !slices.Equal(api.calls, tc.wantCalls) {
				t.Errorf("calls %v, want %v", api.calls, tc.wantCalls)
			}
			if tc.want == -1 && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tc.want != -1 && shared.CodeOf(err) != tc.want {
				t.Fatalf("code %v, want %v: %v", shared.CodeOf(err), tc.want, err)
			}
			if tc.want == shared.CodeFailedPrecondition && !strings.Contains(err.Error(), "--force") {
				t.Errorf("refusal does not mention --force: %v", err)
			}
			if tc.wantValue != "" {
				s := api.secrets[tc.secret]
				got := string(s.bin)
				if s.str != nil {
					got = *s.str
				}
				if got != tc.wantValue {
					t.Errorf("value %q, want %q", got, tc.wantValue)
				}
			}
		})
	}
}
