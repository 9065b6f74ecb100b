package awsstore

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/internal/setupflags"
	"github.com/ksm-cli/ksm/internal/storecall"
	"github.com/ksm-cli/ksm/shared"
)

func TestDescribe(t *testing.T) {
	d, err := storecall.Describe(context.Background(), New(Options{Version: "test"}))
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "aws" || !d.CanSave || d.ProtocolVersion != 0 {
		t.Errorf("name %q, CanSave %v, protocol %d (sdk.Serve fills it)", d.Name, d.CanSave, d.ProtocolVersion)
	}
	d.ProtocolVersion = shared.ProtocolVersion // as sdk.Serve does
	if err := d.Check("aws", setupflags.ReservedNames()); err != nil {
		t.Errorf("description fails the contract's check: %v", err)
	}
	if !slices.Contains(d.Env, "AWS_*") {
		t.Errorf("Env = %v, want AWS_*", d.Env)
	}
	byName := map[string]shared.Option{}
	var names []string
	for _, o := range d.Options {
		byName[o.Name] = o
		names = append(names, o.Name)
		if o.Usage == "" {
			t.Errorf("option %s has no usage", o.Name)
		}
	}
	wantNames := []string{"secret", "credentials", "credentials-profile", "aws-access-key-id", "aws-secret-access-key", "region", "fallback"}
	if !slices.Equal(names, wantNames) {
		t.Fatalf("options %v, want %v", names, wantNames)
	}
	if o := byName["secret"]; o.Default != "ksm-config" || o.Type != shared.OptionString {
		t.Errorf("secret: %+v", o)
	}
	if o := byName["credentials"]; o.Type != shared.OptionEnum || o.Default != "ec2instance" ||
		!slices.Equal(o.Allowed, []string{"ec2instance", "profile", "keys"}) {
		t.Errorf("credentials: %+v", o)
	}
	if o := byName["aws-secret-access-key"]; !o.Sensitive || !slices.Equal(o.EnvVars, []string{"AWS_SECRET_ACCESS_KEY"}) {
		t.Errorf("aws-secret-access-key: %+v", o)
	}
	if o := byName["fallback"]; o.Type != shared.OptionBool {
		t.Errorf("fallback: %+v", o)
	}
	for _, n := range []string{"secret", "credentials", "credentials-profile", "aws-access-key-id", "region", "fallback"} {
		if byName[n].Sensitive {
			t.Errorf("%s is marked sensitive", n)
		}
	}
}

func TestValidate(t *testing.T) {
	const key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ksm-AbCdEf"
	cases := []struct {
		name    string
		env     string // AWS_SECRET_ACCESS_KEY
		opts    map[string]string
		want    shared.Settings // nil: an error is wanted
		wantErr []string
	}{
		{name: "defaults", opts: map[string]string{},
			want: shared.Settings{"provider": "ec2instance", "secret": "ksm-config"}},
		{name: "host passes every option, defaults filled",
			opts: map[string]string{"secret": "ksm-config", "credentials": "ec2instance", "credentials-profile": "",
				"aws-access-key-id": "", "aws-secret-access-key": "", "region": "", "fallback": "false"},
			want: shared.Settings{"provider": "ec2instance", "secret": "ksm-config"}},
		{name: "ec2instance with region and fallback",
			opts: map[string]string{"credentials": "ec2instance", "region": "eu-west-1", "fallback": "true", "secret": "prod/ksm"},
			want: shared.Settings{"provider": "ec2instance", "secret": "prod/ksm", "region": "eu-west-1", "fallback": "true"}},
		{name: "profile, named",
			opts: map[string]string{"credentials": "profile", "credentials-profile": "dev"},
			want: shared.Settings{"provider": "profile", "profile": "dev", "secret": "ksm-config"}},
		{name: "profile, default written as an empty profile like the reference",
			opts: map[string]string{"credentials": "profile"},
			want: shared.Settings{"provider": "profile", "profile": "", "secret": "ksm-config"}},
		{name: "keys",
			opts: map[string]string{"credentials": "keys", "aws-access-key-id": "AKIAIOSFODNN7EXAMPLE",
				"aws-secret-access-key": key, "region": "us-east-2"},
			want: shared.Settings{"provider": "keys", "secret": "ksm-config", "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
				"aws_secret_access_key": key, "region": "us-east-2"}},
		{name: "keys, region from the ARN",
			opts: map[string]string{"credentials": "keys", "aws-access-key-id": "AKIAIOSFODNN7EXAMPLE",
				"aws-secret-access-key": key, "secret": arn},
			want: shared.Settings{"provider": "keys", "secret": arn, "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
				"aws_secret_access_key": key}},
		{name: "a secret key only from the environment is not an option for ec2instance", env: key,
			opts: map[string]string{"credentials": "ec2instance", "aws-secret-access-key": key},
			want: shared.Settings{"provider": "ec2instance", "secret": "ksm-config"}},

		{name: "ec2instance with a profile",
			opts:    map[string]string{"credentials": "ec2instance", "credentials-profile": "dev"},
			wantErr: []string{"--credentials-profile goes with --credentials profile"}},
		{name: "ec2instance with keys",
			opts:    map[string]string{"aws-access-key-id": "AKIAIOSFODNN7EXAMPLE"},
			wantErr: []string{"--aws-access-key-id and --aws-secret-access-key go with --credentials keys"}},
		{name: "ec2instance with a secret key given explicitly",
			opts:    map[string]string{"aws-secret-access-key": key},
			wantErr: []string{"go with --credentials keys"}},
		{name: "profile with keys",
			opts:    map[string]string{"credentials": "profile", "aws-access-key-id": "AKIAIOSFODNN7EXAMPLE", "aws-secret-access-key": key},
			wantErr: []string{"go with --credentials keys, not profile"}},
		{name: "keys with a profile",
			opts: map[string]string{"credentials": "keys", "credentials-profile": "dev", "aws-access-key-id": "AKIAIOSFODNN7EXAMPLE",
				"aws-secret-access-key": key, "region": "us-east-1"},
			wantErr: []string{"--credentials-profile goes with --credentials profile, not keys"}},
		{name: "keys without any key",
			opts:    map[string]string{"credentials": "keys", "region": "us-east-1"},
			wantErr: []string{"needs --aws-access-key-id and --aws-secret-access-key"}},
		{name: "keys without the key id",
			opts:    map[string]string{"credentials": "keys", "aws-secret-access-key": key, "region": "us-east-1"},
			wantErr: []string{"needs --aws-access-key-id too"}},
		{name: "keys without the secret key",
			opts:    map[string]string{"credentials": "keys", "aws-access-key-id": "AKIAIOSFODNN7EXAMPLE", "region": "us-east-1"},
			wantErr: []string{"needs --aws-secret-access-key too"}},
		{name: "keys without a region",
			opts:    map[string]string{"credentials": "keys", "aws-access-key-id": "AKIAIOSFODNN7EXAMPLE", "aws-secret-access-key": key},
			wantErr: []string{"needs --region"}},
		{name: "unknown method",
			opts:    map[string]string{"credentials": "sso"},
			wantErr: []string{"--credentials must be one of ec2instance, profile, keys"}},
		{name: "unknown option",
			opts:    map[string]string{"role-arn": "x"},
			wantErr: []string{"unknown option --role-arn"}},
		{name: "bad fallback",
			opts:    map[string]string{"fallback": "maybe"},
			wantErr: []string{"--fallback takes true or false"}},
		{name: "bad secret name",
			opts:    map[string]string{"secret": "has space"},
			wantErr: []string{"not a valid secret name"}},
		{name: "ARN of something else",
			opts:    map[string]string{"secret": "arn:aws:s3:::bucket"},
			wantErr: []string{"not a Secrets Manager secret ARN"}},
		{name: "region not matching the ARN",
			opts:    map[string]string{"secret": arn, "region": "us-east-1"},
			wantErr: []string{"--region us-east-1 differs from the region eu-west-1"}},
		{name: "bad region",
			opts:    map[string]string{"region": "Mars"},
			wantErr: []string{"not an AWS region name"}},
		{name: "newline injection into keeper.ini",
			opts:    map[string]string{"credentials": "profile", "credentials-profile": "dev\nprovider = keys"},
			wantErr: []string{"control characters"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("AWS_SECRET_ACCESS_KEY", tc.env)
			got, err := storecall.Validate(context.Background(), New(Options{Version: "test"}), tc.opts)
			if tc.want != nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if !maps.Equal(got, tc.want) {
					t.Errorf("settings %v, want %v", got, tc.want)
				}
				// What Validate writes, Load reads back the same.
				back, err := parseSettings(got)
				if err != nil || !maps.Equal(back.settings(), got) {
					t.Errorf("settings do not round-trip: %v, %v", back.settings(), err)
				}
				return
			}
			if shared.CodeOf(err) != shared.CodeInvalidArgument {
				t.Fatalf("error %v (code %v), want invalid argument", err, shared.CodeOf(err))
			}
			msg := err.Error()
			for _, w := range tc.wantErr {
				if !strings.Contains(msg, w) {
					t.Errorf("message lacks %q: %s", w, msg)
				}
			}
			if strings.Contains(msg, key) {
				t.Errorf("message shows the secret key: %s", msg)
			}
			if msg[:1] != strings.ToLower(msg[:1]) {
				t.Errorf("message is capitalised: %s", msg)
			}
		})
	}
}
