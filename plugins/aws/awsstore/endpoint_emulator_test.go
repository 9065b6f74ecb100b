package awsstore_test

import (
	"github.com/ksm-cli/ksm/internal/storecall"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ksm-cli/ksm/plugins/aws/awstest"
	"github.com/ksm-cli/ksm/shared"
)

// Rows (issue 17, item 4): no keeper.ini setting aims AWS requests. A
// profile section carrying endpoint keys still reads from the endpoint the
// environment names (moto here), and the planted endpoint gets nothing; a
// region that is not a region name is refused. The environment's own
// endpoint may be plain HTTP only on this machine: elsewhere the config
// would travel in clear, so nothing is sent (192.0.2.1 is TEST-NET: a
// connection attempt there would hang until the 5 s dial timeout).
func TestSettingsCannotAimRequests(t *testing.T) {
	moto := awstest.StartMoto(t)
	var planted atomic.Int32
	witness := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		planted.Add(1)
		w.WriteHeader(http.StatusForbidden)
	}))
	defer witness.Close()
	keys := shared.Settings{"provider": "keys", "aws_access_key_id": "AKIDEXAMPLE",
		"aws_secret_access_key": "SECRETEXAMPLE", "region": awstest.Region, "secret": "ksm-config"}
	cases := []struct {
		name     string
		settings shared.Settings
		vars     []string
		want     shared.Code
		wantIn   []string
	}{
		{name: "endpoint keys in keeper.ini are ignored",
			settings: with(keys, "endpoint_url", witness.URL, "endpoint", witness.URL, "aws_endpoint_url", witness.URL,
				"endpoint_url_secrets_manager", witness.URL, "sts_endpoint", witness.URL),
			want: succeed},
		{name: "a region that is a host name",
			settings: with(keys, "region", "evil.example.com"),
			want:     shared.CodeInvalidArgument, wantIn: []string{`AWS region "evil.example.com"`, "--region"}},
		{name: "a secret ARN whose region is a host name",
			settings: with(keys, "region", "", "secret", "arn:aws:secretsmanager:evil.example:123456789012:secret:ksm-config-AbCdEf"),
			want:     shared.CodeInvalidArgument, wantIn: []string{`AWS region "evil.example"`}},
		{name: "plain http to another machine from the environment",
			settings: keys, vars: []string{"AWS_ENDPOINT_URL_SECRETS_MANAGER=http://192.0.2.1:4566"},
			want:   shared.CodeFailedPrecondition,
			wantIn: []string{"http://192.0.2.1:4566 is plain HTTP to another machine", "ksm sent nothing", "https://"}},
		{name: "plain http to another machine from AWS_ENDPOINT_URL",
			settings: keys, vars: []string{"AWS_ENDPOINT_URL_SECRETS_MANAGER=", "AWS_ENDPOINT_URL=http://192.0.2.1:4566"},
			want: shared.CodeFailedPrecondition, wantIn: []string{"plain HTTP to another machine"}},
		{name: "plain http on localhost is an emulator",
			settings: keys, vars: []string{"AWS_ENDPOINT_URL_SECRETS_MANAGER=" + replaceHost(moto, "localhost")},
			want: succeed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			awstest.ResetMoto(t, moto)
			awstest.Env{SecretsEndpoint: moto, Vars: tc.vars}.Apply(t)
			awstest.Secrets{Endpoint: moto}.Create(t, "ksm-config", awstest.SampleConfigJSON())
			store, log := newStore()
			start := time.Now()
			cfg, err := storecall.Load(ctxFor(t, 0), store, tc.settings)
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("took %v", took)
			}
			checkOutcome(t, err, tc.want, tc.wantIn, log.String())
			if tc.want == succeed {
				checkConfig(t, cfg)
			}
		})
	}
	if n := planted.Load(); n != 0 {
		t.Errorf("the endpoint planted in keeper.ini got %d requests", n)
	}
}

func replaceHost(url, host string) string {
	const loopback = "127.0.0.1"
	for i := 0; i+len(loopback) <= len(url); i++ {
		if url[i:i+len(loopback)] == loopback {
			return url[:i] + host + url[i+len(loopback):]
		}
	}
	return url
}
