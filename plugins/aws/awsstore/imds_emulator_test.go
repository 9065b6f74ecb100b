package awsstore_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/ksm-cli/ksm/internal/storecall"
	"github.com/ksm-cli/ksm/plugins/aws/awstest"
	"github.com/ksm-cli/ksm/shared"
)

// TestIMDSOnlyWhenNeeded watches the requests that reach the IMDS mock: a
// method that does not use the instance role never asks it anything, and
// the instance's region is asked for only when nothing else gives one.
func TestIMDSOnlyWhenNeeded(t *testing.T) {
	moto := awstest.StartMoto(t)
	imds, seen := recordingProxy(t, awstest.StartIMDS(t))
	awstest.Secrets{Endpoint: moto}.Create(t, "ksm-config", awstest.SampleConfigJSON())

	const regionPath = "/latest/dynamic/instance-identity/document" // imds.GetRegion
	const credsPath = "/latest/meta-data/iam/security-credentials/"
	cases := []struct {
		name     string
		env      awstest.Env
		settings shared.Settings
		want     []string // paths that must be asked for; nil: no request at all
		wantNot  []string
	}{
		{name: "keys", env: awstest.Env{},
			settings: shared.Settings{"provider": "keys", "aws_access_key_id": "AKIDEXAMPLE",
				"aws_secret_access_key": "SECRETEXAMPLE", "region": "us-east-1"}},
		{name: "profile", env: awstest.Env{},
			settings: shared.Settings{"provider": "profile", "profile": awstest.Profile}},
		{name: "ec2instance with AWS_REGION", env: awstest.Env{},
			settings: shared.Settings{"provider": "ec2instance"},
			want:     []string{credsPath, credsPath + awstest.IMDSRole}, wantNot: []string{regionPath}},
		{name: "ec2instance without a region", env: awstest.Env{NoRegion: true},
			settings: shared.Settings{"provider": "ec2instance"},
			want:     []string{credsPath, regionPath}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := tc.env
			env.SecretsEndpoint, env.IMDSEndpoint = moto, imds
			env.Apply(t)
			store, log := newStore()
			before := len(seen())
			cfg, err := storecall.Load(ctxFor(t, 0), store, tc.settings)
			checkOutcome(t, err, succeed, nil, log.String())
			checkConfig(t, cfg)
			paths := seen()[before:]
			if tc.want == nil && len(paths) > 0 {
				t.Errorf("IMDS was asked %v", paths)
			}
			for _, p := range tc.want {
				if !slices.Contains(paths, p) {
					t.Errorf("IMDS was not asked %s; asked %v", p, paths)
				}
			}
			for _, p := range tc.wantNot {
				if slices.Contains(paths, p) {
					t.Errorf("IMDS was asked %s needlessly; asked %v", p, paths)
				}
			}
		})
	}
}

// recordingProxy forwards to target and records the paths asked for.
func recordingProxy(t *testing.T, target string) (string, func() []string) {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var paths []string
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(paths)
	}
}
