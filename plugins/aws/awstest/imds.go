package awstest

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// What the IMDS mock serves as the instance role's credentials and region.
const (
	IMDSRole            = "ksm-test-role"
	IMDSAccessKeyID     = "ASIATESTIMDS"
	IMDSSecretAccessKey = "imds-secret"
	IMDSSessionToken    = "imds-session-token"
	IMDSRegion          = "us-east-1"
)

// imdsInstall is how to get the mock.
const imdsInstall = "go install github.com/aws/amazon-ec2-metadata-mock/cmd/ec2-metadata-mock@v1.13.0"

// imdsConfig replaces the mock's default role credentials, which expired
// in 2020.
const imdsConfig = `{"metadata":{"values":{"iam-security-credentials-role":"` + IMDSRole + `",
  "iam-security-credentials":{"Code":"Success","LastUpdated":"2026-01-01T00:00:00Z",
  "Type":"AWS-HMAC","AccessKeyId":"` + IMDSAccessKeyID + `","SecretAccessKey":"` + IMDSSecretAccessKey + `",
  "Token":"` + IMDSSessionToken + `","Expiration":"2099-01-01T00:00:00Z"}}}}`

// StartIMDS starts amazon-ec2-metadata-mock in IMDSv2-only mode (requests
// without a session token are refused) on a free loopback port, and stops
// it when the test ends. It returns the endpoint for
// AWS_EC2_METADATA_SERVICE_ENDPOINT.
func StartIMDS(t testing.TB) string {
	t.Helper()
	bin := imdsBinary(t)
	cfg := filepath.Join(t.TempDir(), "imds.json")
	if err := os.WriteFile(cfg, []byte(imdsConfig), 0o600); err != nil {
		t.Fatalf("awstest: %v", err)
	}
	return startServer(t, "ec2-metadata-mock", withoutAWS(os.Environ()),
		// With --imdsv2 it answers 401 to this: enough to know it is up.
		func(base string) bool { return answers(http.MethodGet, base+"/latest/meta-data/") },
		bin, func(port string) []string {
			return []string{"-n", "127.0.0.1", "-p", port, "--imdsv2", "-c", cfg}
		})
}

// imdsBinary finds ec2-metadata-mock on PATH or in $(go env GOPATH)/bin.
func imdsBinary(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("ec2-metadata-mock"); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
			p := filepath.Join(dir, "bin", "ec2-metadata-mock")
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
				return p
			}
		}
	}
	t.Fatalf("awstest: ec2-metadata-mock is not on PATH nor in $(go env GOPATH)/bin; install it with: %s", imdsInstall)
	return ""
}
