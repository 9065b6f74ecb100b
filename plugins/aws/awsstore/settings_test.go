package awsstore

import (
	"slices"
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/shared"
)

func TestParseSettings(t *testing.T) {
	cases := []struct {
		name     string
		settings shared.Settings
		want     target
		wantErr  string
	}{
		{name: "no settings at all", settings: shared.Settings{},
			wantErr: "has no aws settings"},
		{name: "what is missing takes the documented defaults", settings: shared.Settings{"region": "eu-west-1"},
			want: target{method: methodEC2, secret: "ksm-config", region: "eu-west-1"}},
		{name: "the reference's provider = custom is keys",
			settings: shared.Settings{"provider": "custom", "aws_access_key_id": "AKID", "aws_secret_access_key": "SK", "region": "us-east-1", "secret": "s"},
			want:     target{method: methodKeys, secret: "s", keyID: "AKID", secretKey: "SK", region: "us-east-1"}},
		{name: "the reference's empty profile is the default profile",
			settings: shared.Settings{"provider": "profile", "profile": " ", "secret": "ksm-config"},
			want:     target{method: methodProfile, secret: "ksm-config"}},
		{name: "fallback as Python writes it",
			settings: shared.Settings{"provider": "profile", "profile": "default", "fallback": "True"},
			want:     target{method: methodProfile, secret: "ksm-config", profile: "default", fallback: true}},
		{name: "fallback false as written",
			settings: shared.Settings{"fallback": "false"},
			want:     target{method: methodEC2, secret: "ksm-config"}},
		{name: "keys it does not use are ignored",
			settings: shared.Settings{"provider": "ec2instance", "color": "True"},
			want:     target{method: methodEC2, secret: "ksm-config"}},
		{name: "unknown provider", settings: shared.Settings{"provider": "vault"},
			wantErr: `provider = "vault" is not one of`},
		{name: "keys without the secret key",
			settings: shared.Settings{"provider": "keys", "aws_access_key_id": "AKID"},
			wantErr:  "lack aws_secret_access_key"},
		{name: "keys without either key",
			settings: shared.Settings{"provider": "custom"},
			wantErr:  "lack aws_access_key_id and aws_secret_access_key"},
		{name: "bad fallback", settings: shared.Settings{"fallback": "sometimes"},
			wantErr: "fallback must be true or false"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseSettings(tc.settings)
			if tc.wantErr != "" {
				if shared.CodeOf(err) != shared.CodeInvalidArgument || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want invalid argument with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestSettingsWritten(t *testing.T) {
	cases := []struct {
		t    target
		want string
	}{
		{target{method: methodEC2, secret: "s"}, "provider=ec2instance secret=s"},
		{target{method: methodEC2, secret: "s", region: "eu-west-1", fallback: true}, "fallback=true provider=ec2instance region=eu-west-1 secret=s"},
		{target{method: methodProfile, secret: "s"}, "profile= provider=profile secret=s"},
		{target{method: methodKeys, secret: "s", keyID: "A", secretKey: "B", region: "us-east-1"},
			"aws_access_key_id=A aws_secret_access_key=B provider=keys region=us-east-1 secret=s"},
	}
	for _, tc := range cases {
		var kv []string
		for k, v := range tc.t.settings() {
			kv = append(kv, k+"="+v)
		}
		slices.Sort(kv)
		if got := strings.Join(kv, " "); got != tc.want {
			t.Errorf("settings of %+v = %q, want %q", tc.t, got, tc.want)
		}
	}
}

func TestARNRegion(t *testing.T) {
	for s, want := range map[string]string{
		"ksm-config": "",
		"arn:aws:secretsmanager:eu-central-1:123456789012:secret:ksm-AbCdEf":         "eu-central-1",
		"arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:ksm-AbCdEf": "us-gov-west-1",
		"arn:aws:s3:::bucket": "",
	} {
		if got := (target{secret: s}).arnRegion(); got != want {
			t.Errorf("arnRegion(%q) = %q, want %q", s, got, want)
		}
	}
}
