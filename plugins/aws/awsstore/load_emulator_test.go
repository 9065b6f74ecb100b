package awsstore_test

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ksm-cli/ksm/internal/storecall"
	"github.com/ksm-cli/ksm/plugins/aws/awstest"
	"github.com/ksm-cli/ksm/shared"
)

// TestLoadEmulators loads through the real SDK from moto's server, with
// credentials from ec2-metadata-mock (IMDSv2 only), shared config files and
// keeper.ini settings.
func TestLoadEmulators(t *testing.T) {
	moto := awstest.StartMoto(t)
	imds := awstest.StartIMDS(t)
	closed := awstest.ClosedEndpoint(t)
	hanging := hangingServer(t)
	sm := awstest.Secrets{Endpoint: moto}
	cfgJSON := awstest.SampleConfigJSON()

	// Most cases read the secret "ksm-config" holding a config.
	stored := func(t *testing.T) { sm.Create(t, "ksm-config", cfgJSON) }
	ec2 := shared.Settings{"provider": "ec2instance", "secret": "ksm-config"}
	var arn string // set by the ARN case's arrange

	cases := []struct {
		name     string
		env      awstest.Env
		arrange  func(t *testing.T)
		settings func() shared.Settings
		timeout  time.Duration
		want     shared.Code
		wantIn   []string
	}{
		{name: "ec2instance via IMDSv2, region from AWS_REGION",
			env: awstest.Env{IMDSEndpoint: imds}, arrange: stored,
			settings: func() shared.Settings { return ec2 }, want: succeed},
		{name: "ec2instance via IMDSv2, region from IMDS",
			env: awstest.Env{IMDSEndpoint: imds, NoRegion: true}, arrange: stored,
			settings: func() shared.Settings { return ec2 }, want: succeed},
		{name: "ec2instance, region from the secret ARN beats AWS_REGION",
			env: awstest.Env{IMDSEndpoint: imds},
			arrange: func(t *testing.T) {
				arn = awstest.Secrets{Endpoint: moto, Region: "eu-west-1"}.Create(t, "ksm-config", cfgJSON)
			},
			settings: func() shared.Settings { return with(ec2, "secret", arn) }, want: succeed},
		{name: "ec2instance, region setting beats AWS_REGION",
			env: awstest.Env{IMDSEndpoint: imds},
			arrange: func(t *testing.T) {
				awstest.Secrets{Endpoint: moto, Region: "eu-west-1"}.Create(t, "ksm-config", cfgJSON)
			},
			settings: func() shared.Settings { return with(ec2, "region", "eu-west-1") }, want: succeed},
		{name: "profile, named",
			env: awstest.Env{}, arrange: stored,
			settings: func() shared.Settings {
				return shared.Settings{"provider": "profile", "profile": awstest.Profile, "secret": "ksm-config"}
			}, want: succeed},
		{name: "profile, empty means the default profile",
			env: awstest.Env{DefaultCredentials: true}, arrange: stored,
			settings: func() shared.Settings {
				return shared.Settings{"provider": "profile", "profile": "", "secret": "ksm-config"}
			}, want: succeed},
		{name: "profile, empty honours AWS_PROFILE",
			env: awstest.Env{Vars: []string{"AWS_PROFILE=" + awstest.Profile}}, arrange: stored,
			settings: func() shared.Settings { return shared.Settings{"provider": "profile", "secret": "ksm-config"} },
			want:     succeed},
		{name: "keys",
			env: awstest.Env{}, arrange: stored,
			settings: func() shared.Settings {
				return shared.Settings{"provider": "keys", "aws_access_key_id": "AKIDEXAMPLE",
					"aws_secret_access_key": "SECRETEXAMPLE", "region": "us-east-1", "secret": "ksm-config"}
			}, want: succeed},
		{name: "keys written by the reference as provider = custom",
			env: awstest.Env{}, arrange: stored,
			settings: func() shared.Settings {
				return shared.Settings{"provider": "custom", "aws_access_key_id": "AKIDEXAMPLE",
					"aws_secret_access_key": "SECRETEXAMPLE", "region": "us-east-1", "secret": "ksm-config"}
			}, want: succeed},
		{name: "SecretString holding base64 of the config",
			env: awstest.Env{IMDSEndpoint: imds},
			arrange: func(t *testing.T) {
				sm.Create(t, "ksm-config", base64.StdEncoding.EncodeToString([]byte(cfgJSON)))
			},
			settings: func() shared.Settings { return ec2 }, want: succeed},
		{name: "SecretBinary holding the config",
			env:      awstest.Env{IMDSEndpoint: imds},
			arrange:  func(t *testing.T) { sm.CreateBinary(t, "ksm-config", []byte(cfgJSON)) },
			settings: func() shared.Settings { return ec2 }, want: succeed},
		{name: "SecretBinary holding base64 of the config",
			env: awstest.Env{IMDSEndpoint: imds},
			arrange: func(t *testing.T) {
				sm.CreateBinary(t, "ksm-config", []byte(base64.URLEncoding.EncodeToString([]byte(cfgJSON))))
			},
			settings: func() shared.Settings { return ec2 }, want: succeed},

		// Fallback on, succeeding.
		{name: "fallback: IMDS unreachable, default chain has keys",
			env: awstest.Env{IMDSEndpoint: closed, DefaultCredentials: true}, arrange: stored,
			settings: func() shared.Settings { return with(ec2, "fallback", "true") }, want: succeed},
		{name: "fallback: profile missing, default chain has keys",
			env: awstest.Env{DefaultCredentials: true}, arrange: stored,
			settings: func() shared.Settings {
				return shared.Settings{"provider": "profile", "profile": "nosuch", "secret": "ksm-config", "fallback": "True"}
			}, want: succeed},

		// Fallback off, failing.
		{name: "no credentials: IMDS endpoint on a closed port fails fast",
			env: awstest.Env{IMDSEndpoint: closed, DefaultCredentials: true}, arrange: stored,
			settings: func() shared.Settings { return ec2 },
			want:     shared.CodeUnauthenticated,
			wantIn:   []string{`"ksm-config"`, "ec2instance", "instance metadata", "unreachable", "--fallback"}},
		{name: "no credentials: IMDS disabled",
			env: awstest.Env{}, arrange: stored,
			settings: func() shared.Settings { return ec2 },
			want:     shared.CodeUnauthenticated,
			wantIn:   []string{"ec2instance", "AWS_EC2_METADATA_DISABLED"}},
		{name: "no credentials: profile missing, fallback off",
			env: awstest.Env{DefaultCredentials: true}, arrange: stored,
			settings: func() shared.Settings {
				return shared.Settings{"provider": "profile", "profile": "nosuch", "secret": "ksm-config"}
			},
			want:   shared.CodeUnauthenticated,
			wantIn: []string{"profile method", `"nosuch"`, "--credentials-profile"}},
		{name: "no credentials: default profile without keys never reaches IMDS",
			env: awstest.Env{IMDSEndpoint: imds}, arrange: stored,
			settings: func() shared.Settings { return shared.Settings{"provider": "profile", "secret": "ksm-config"} },
			want:     shared.CodeUnauthenticated,
			wantIn:   []string{"the default AWS profile", "holds no credentials"}},

		// Fallback on, failing too.
		{name: "fallback: IMDS unreachable and the default chain has nothing",
			env: awstest.Env{IMDSEndpoint: closed}, arrange: stored,
			settings: func() shared.Settings { return with(ec2, "fallback", "true") },
			want:     shared.CodeUnauthenticated,
			wantIn:   []string{"ec2instance", "fallback to the default AWS credential chain failed too"}},
		{name: "fallback is not tried for a missing secret",
			env:      awstest.Env{IMDSEndpoint: imds, DefaultCredentials: true},
			settings: func() shared.Settings { return with(ec2, "fallback", "true") },
			want:     shared.CodeNotFound,
			wantIn:   []string{`"ksm-config"`, "us-east-1", "ec2instance", "--secret"}},

		{name: "missing secret",
			env: awstest.Env{},
			settings: func() shared.Settings {
				return shared.Settings{"provider": "profile", "profile": awstest.Profile, "secret": "nosuch-secret"}
			},
			want:   shared.CodeNotFound,
			wantIn: []string{`"nosuch-secret"`, "us-east-1", "profile method", "--region"}},
		{name: "wrong region: moto keeps secrets per region",
			env: awstest.Env{IMDSEndpoint: imds}, arrange: stored,
			settings: func() shared.Settings { return with(ec2, "region", "eu-west-1") },
			want:     shared.CodeNotFound,
			wantIn:   []string{`"ksm-config" in eu-west-1`}},
		{name: "secret that is not a config",
			env:      awstest.Env{IMDSEndpoint: imds},
			arrange:  func(t *testing.T) { sm.Create(t, "ksm-config", "hunter2-not-a-config") },
			settings: func() shared.Settings { return ec2 },
			want:     shared.CodeInvalidArgument,
			wantIn:   []string{`"ksm-config"`, "does not hold a ksm config"}},
		{name: "secret holding other JSON",
			env:      awstest.Env{IMDSEndpoint: imds},
			arrange:  func(t *testing.T) { sm.Create(t, "ksm-config", `{"username":"admin","password":"hunter2"}`) },
			settings: func() shared.Settings { return ec2 },
			want:     shared.CodeInvalidArgument,
			wantIn:   []string{"does not hold a ksm config", "clientId"}},
		{name: "no region anywhere",
			env: awstest.Env{NoRegion: true}, arrange: stored,
			settings: func() shared.Settings {
				return shared.Settings{"provider": "keys", "aws_access_key_id": "AKIDEXAMPLE", "aws_secret_access_key": "SECRETEXAMPLE"}
			},
			want:   shared.CodeInvalidArgument,
			wantIn: []string{"no AWS region", "--region"}},
		{name: "AWS_PROFILE naming a missing profile",
			env: awstest.Env{IMDSEndpoint: imds, Vars: []string{"AWS_PROFILE=gone"}}, arrange: stored,
			settings: func() shared.Settings { return ec2 },
			want:     shared.CodeFailedPrecondition,
			wantIn:   []string{"AWS_PROFILE", `"gone"`}},
		{name: "IMDS hangs: bounded by the caller's deadline",
			env: awstest.Env{IMDSEndpoint: hanging}, arrange: stored,
			settings: func() shared.Settings { return ec2 }, timeout: 300 * time.Millisecond,
			want: shared.CodeDeadlineExceeded, wantIn: []string{"timed out getting credentials from the EC2 instance metadata service", "ec2instance"}},
		{name: "IMDS hangs: bounded without a caller deadline",
			env: awstest.Env{IMDSEndpoint: hanging}, arrange: stored,
			settings: func() shared.Settings { return ec2 },
			want:     shared.CodeUnauthenticated, wantIn: []string{"ec2instance", "instance metadata service (no answer in time)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			awstest.ResetMoto(t, moto)
			env := tc.env
			env.SecretsEndpoint = moto
			env.Apply(t)
			if tc.arrange != nil {
				tc.arrange(t)
			}
			store, log := newStore()
			cfg, err := storecall.Load(ctxFor(t, tc.timeout), store, tc.settings())
			checkOutcome(t, err, tc.want, tc.wantIn, log.String())
			if tc.want == succeed {
				checkConfig(t, cfg)
			}
		})
	}
}

// hangingServer accepts requests and never answers them (until the client
// gives up or the test ends): an IMDS that is there but stuck.
func hangingServer(t *testing.T) string {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first: Close waits for handlers
	return srv.URL
}
