package awsstore_test

import (
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/internal/storecall"
	"github.com/ksm-cli/ksm/plugins/aws/awstest"
	"github.com/ksm-cli/ksm/shared"
)

// TestRefusedEmulators runs against a moto that enforces IAM, so that AWS
// refuses credentials for real: the fallback on denial, and the error
// mapping of refusals as the SDK sees them.
func TestRefusedEmulators(t *testing.T) {
	m := awstest.StartMotoIAM(t)
	imds := awstest.StartIMDS(t)
	awstest.Secrets{Endpoint: m.Endpoint, User: m.Reader}.Create(t, "ksm-config", awstest.SampleConfigJSON())
	extra := []string{m.Reader.AccessKeyID, m.Reader.SecretAccessKey, m.Denied.AccessKeyID, m.Denied.SecretAccessKey}

	keys := func(u awstest.IAMUser, fallback string) shared.Settings {
		return shared.Settings{"provider": "keys", "secret": "ksm-config", "region": "us-east-1",
			"aws_access_key_id": u.AccessKeyID, "aws_secret_access_key": u.SecretAccessKey, "fallback": fallback}
	}
	envKeys := func(u awstest.IAMUser) []string {
		return []string{"AWS_ACCESS_KEY_ID=" + u.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + u.SecretAccessKey}
	}
	unknown := awstest.IAMUser{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "SECRETEXAMPLE"}

	cases := []struct {
		name     string
		vars     []string
		settings shared.Settings
		save     bool
		want     shared.Code
		wantIn   []string
		wantOut  []string
	}{
		{name: "allowed keys", settings: keys(m.Reader, ""), want: succeed},
		{name: "denied, no fallback", settings: keys(m.Denied, ""),
			want:   shared.CodePermissionDenied,
			wantIn: []string{`"ksm-config" in us-east-1`, "keys method", "access denied (AccessDenied", "allow that identity secretsmanager:GetSecretValue"}},
		{name: "unknown keys, no fallback", settings: keys(unknown, "false"),
			want:   shared.CodeUnauthenticated,
			wantIn: []string{"keys method", "credentials refused", "InvalidClientTokenId"}},
		{name: "denied, fallback to the environment's keys", vars: envKeys(m.Reader),
			settings: keys(m.Denied, "true"), want: succeed},
		{name: "instance role unknown to AWS, fallback to the environment's keys", vars: envKeys(m.Reader),
			settings: shared.Settings{"provider": "ec2instance", "fallback": "true"}, want: succeed},
		{name: "denied, and denied again by the fallback", vars: envKeys(m.Denied),
			settings: keys(m.Denied, "true"),
			want:     shared.CodePermissionDenied,
			wantIn:   []string{"keys method", "fallback to the default AWS credential chain failed too", "access denied"}},
		{name: "writes never fall back", vars: envKeys(m.Reader),
			settings: keys(m.Denied, "true"), save: true,
			want:    shared.CodePermissionDenied,
			wantIn:  []string{"cannot save to", "keys method", "PutSecretValue"},
			wantOut: []string{"fallback"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			awstest.Env{SecretsEndpoint: m.Endpoint, IMDSEndpoint: imds, Vars: tc.vars}.Apply(t)
			store, log := newStore()
			var err error
			if tc.save {
				err = storecall.Save(ctxFor(t, 0), store, shared.SaveRequest{Settings: tc.settings, Config: awstest.SampleConfig()})
			} else {
				var cfg shared.Config
				cfg, err = storecall.Load(ctxFor(t, 0), store, tc.settings)
				if err == nil {
					checkConfig(t, cfg)
				}
			}
			checkOutcome(t, err, tc.want, tc.wantIn, log.String(), extra...)
			for _, w := range tc.wantOut {
				if err != nil && strings.Contains(err.Error(), w) {
					t.Errorf("message has %q: %v", w, err)
				}
			}
		})
	}
}
