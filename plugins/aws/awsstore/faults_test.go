package awsstore_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/ksm-cli/ksm/internal/storecall"
	"github.com/ksm-cli/ksm/plugins/aws/awstest"
	"github.com/ksm-cli/ksm/shared"
)

// TestServiceFaults answers the real SDK with faults moto cannot produce,
// from a local Secrets Manager stand-in, and counts the SDK's attempts.
func TestServiceFaults(t *testing.T) {
	keys := shared.Settings{"provider": "keys", "secret": "ksm-config", "region": "us-east-1",
		"aws_access_key_id": "AKIDEXAMPLE", "aws_secret_access_key": "SECRETEXAMPLE"}
	cases := []struct {
		name         string
		status       int
		awsCode      string // "" answers a non-AWS body
		vars         []string
		settings     shared.Settings
		want         shared.Code
		wantAttempts int64
		wantIn       []string
	}{
		{name: "throttled after the SDK's own bounded retries", status: 400, awsCode: "ThrottlingException",
			settings: keys, want: shared.CodeUnavailable, wantAttempts: 3,
			wantIn: []string{`"ksm-config" in us-east-1`, "keys method", "throttled", "try again"}},
		{name: "expired credentials are not retried", status: 400, awsCode: "ExpiredTokenException",
			settings: keys, want: shared.CodeUnauthenticated, wantAttempts: 1,
			wantIn: []string{"credentials refused (ExpiredTokenException"}},
		{name: "expired credentials fall back, and the default chain meets the same service", status: 400, awsCode: "ExpiredTokenException",
			vars:     []string{"AWS_ACCESS_KEY_ID=AKIDEXAMPLE2", "AWS_SECRET_ACCESS_KEY=SECRETEXAMPLE2"},
			settings: with(keys, "fallback", "true"), want: shared.CodeUnauthenticated, wantAttempts: 2,
			wantIn: []string{"keys method", "failed too"}},
		{name: "a broken proxy, AWS_MAX_ATTEMPTS honoured", status: 502, vars: []string{"AWS_MAX_ATTEMPTS=1"},
			settings: keys, want: shared.CodeUnavailable, wantAttempts: 1,
			wantIn: []string{"HTTP 502"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var attempts atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				attempts.Add(1)
				if tc.awsCode == "" {
					w.Header().Set("Content-Type", "text/html")
					w.WriteHeader(tc.status)
					_, _ = w.Write([]byte("<html><body>Bad Gateway</body></html>"))
					return
				}
				w.Header().Set("Content-Type", "application/x-amz-json-1.1")
				w.Header().Set("X-Amzn-ErrorType", tc.awsCode)
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(`{"__type":"` + tc.awsCode + `","message":"scripted fault"}`))
			}))
			t.Cleanup(srv.Close)
			awstest.Env{SecretsEndpoint: srv.URL, Vars: tc.vars}.Apply(t)
			store, log := newStore()
			_, err := storecall.Load(ctxFor(t, 0), store, tc.settings)
			checkOutcome(t, err, tc.want, tc.wantIn, log.String(), "SECRETEXAMPLE2")
			if got := attempts.Load(); got != tc.wantAttempts {
				t.Errorf("%d attempts, want %d", got, tc.wantAttempts)
			}
		})
	}
}

func with(s shared.Settings, kv ...string) shared.Settings {
	out := shared.Settings{}
	for k, v := range s {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}
