package awstest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// What the isolated environment holds, so tests can use the profiles and
// check that no message or log line shows a key.
const (
	Region                 = "us-east-1"
	Profile                = "ksmtest"
	ProfileAccessKeyID     = "AKIAKSMTESTPROFILE01"
	ProfileSecretAccessKey = "ksmtest-profile-secret-access-key"
	DefaultAccessKeyID     = "AKIAKSMTESTDEFAULT01"
	DefaultSecretAccessKey = "ksmtest-default-secret-access-key"
)

// Env describes an isolated AWS environment: shared config and credentials
// files in a temp dir with the profile Profile, a region, the emulators'
// endpoints, and none of the machine's AWS_* variables.
type Env struct {
	// SecretsEndpoint sets AWS_ENDPOINT_URL_SECRETS_MANAGER (moto).
	SecretsEndpoint string
	// IMDSEndpoint sets AWS_EC2_METADATA_SERVICE_ENDPOINT; empty disables
	// IMDS (AWS_EC2_METADATA_DISABLED=true) so no test reaches a real one.
	IMDSEndpoint string
	// NoRegion leaves AWS_REGION unset and the profiles without a region;
	// otherwise the region is Region.
	NoRegion bool
	// DefaultCredentials gives the default profile keys too, so that the
	// SDK's default credential chain finds some.
	DefaultCredentials bool
	// Vars are more variables, KEY=VALUE (e.g. AWS_PROFILE=...).
	Vars []string
}

// Build writes the files into a temp dir and returns the environment as
// KEY=VALUE (AWS_* only; see Environ for a child process's).
func (e Env) Build(t testing.TB) []string {
	t.Helper()
	dir := t.TempDir()
	region := ""
	if !e.NoRegion {
		region = "region = " + Region + "\n"
	}
	config := "[default]\n" + region + "\n[profile " + Profile + "]\n" + region
	creds := fmt.Sprintf("[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n",
		Profile, ProfileAccessKeyID, ProfileSecretAccessKey)
	if e.DefaultCredentials {
		creds += fmt.Sprintf("\n[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n",
			DefaultAccessKeyID, DefaultSecretAccessKey)
	}
	configFile := filepath.Join(dir, "config")
	credsFile := filepath.Join(dir, "credentials")
	for name, body := range map[string]string{configFile: config, credsFile: creds} {
		if err := os.WriteFile(name, []byte(body), 0o600); err != nil {
			t.Fatalf("awstest: %v", err)
		}
	}

	vars := []string{"AWS_CONFIG_FILE=" + configFile, "AWS_SHARED_CREDENTIALS_FILE=" + credsFile}
	if !e.NoRegion {
		vars = append(vars, "AWS_REGION="+Region)
	}
	if e.SecretsEndpoint != "" {
		vars = append(vars, "AWS_ENDPOINT_URL_SECRETS_MANAGER="+e.SecretsEndpoint)
	}
	if e.IMDSEndpoint != "" {
		vars = append(vars, "AWS_EC2_METADATA_SERVICE_ENDPOINT="+e.IMDSEndpoint)
	} else {
		vars = append(vars, "AWS_EC2_METADATA_DISABLED=true")
	}
	return append(vars, e.Vars...)
}

// Apply builds the environment and sets it in this process with t.Setenv,
// after unsetting every AWS_* variable; all is restored when the test
// ends. It returns what Build returns. Not for parallel tests.
func (e Env) Apply(t testing.TB) []string {
	t.Helper()
	vars := e.Build(t)
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			Unsetenv(t, k)
		}
	}
	for _, kv := range vars {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	return vars
}

// Unsetenv unsets k until the test ends.
func Unsetenv(t testing.TB, k string) {
	t.Helper()
	t.Setenv(k, "") // registers the restore
	os.Unsetenv(k)
}

// Environ is base without its AWS_* variables, plus vars: the environment
// for a child process, e.g. Environ(os.Environ(), env.Build(t)).
func Environ(base, vars []string) []string {
	return append(withoutAWS(base), vars...)
}

func withoutAWS(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if !strings.HasPrefix(kv, "AWS_") {
			out = append(out, kv)
		}
	}
	return out
}
