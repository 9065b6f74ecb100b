package awstest

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// fatalTB records the first Fatalf and stops the helper there.
type fatalTB struct {
	testing.TB
	msg string
}

type stop struct{}

func (f *fatalTB) Helper() {}
func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(stop{})
}

func fatalOf(t *testing.T, fn func(tb testing.TB)) string {
	tb := &fatalTB{TB: t}
	func() {
		defer func() {
			if r := recover(); r != nil && r != (stop{}) {
				panic(r)
			}
		}()
		fn(tb)
	}()
	return tb.msg
}

// Without the emulators on the machine, the harness says how to get them.
func TestMissingToolsFailClearly(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // neither python3, go nor the mock
	if msg := fatalOf(t, func(tb testing.TB) { StartIMDS(tb) }); !strings.Contains(msg, imdsInstall) {
		t.Errorf("StartIMDS without the mock: %q, want the install command", msg)
	}
	if msg := fatalOf(t, func(tb testing.TB) { StartMoto(tb) }); !strings.Contains(msg, "pip install 'moto[server]'") {
		t.Errorf("StartMoto without moto: %q, want how to install it", msg)
	}
}

func TestEnvApply(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAFROMTHEMACHINE")
	t.Setenv("AWS_PROFILE", "machine")
	vars := Env{SecretsEndpoint: "http://127.0.0.1:1"}.Apply(t)
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_EC2_METADATA_SERVICE_ENDPOINT"} {
		if v, ok := os.LookupEnv(k); ok {
			t.Errorf("%s=%q still set", k, v)
		}
	}
	want := map[string]string{"AWS_REGION": Region, "AWS_ENDPOINT_URL_SECRETS_MANAGER": "http://127.0.0.1:1",
		"AWS_EC2_METADATA_DISABLED": "true"}
	for k, v := range want {
		if got := os.Getenv(k); got != v {
			t.Errorf("%s=%q, want %q", k, got, v)
		}
	}
	creds, err := os.ReadFile(os.Getenv("AWS_SHARED_CREDENTIALS_FILE"))
	if err != nil || !strings.Contains(string(creds), "["+Profile+"]") || strings.Contains(string(creds), "[default]") {
		t.Errorf("credentials file: %q, %v", creds, err)
	}
	if len(vars) != len(Environ(nil, vars)) {
		t.Errorf("Environ dropped some of %v", vars)
	}
}
