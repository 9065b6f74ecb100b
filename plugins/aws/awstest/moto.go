package awstest

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// StartMoto starts moto's server on a free loopback port, waits until it
// answers, resets it, and stops it when the test ends. It returns the
// endpoint (http://127.0.0.1:PORT) for AWS_ENDPOINT_URL_SECRETS_MANAGER.
// moto accepts any credentials unless told to enforce IAM (StartMotoIAM).
func StartMoto(t testing.TB) string {
	t.Helper()
	endpoint := startMoto(t, nil)
	ResetMoto(t, endpoint)
	return endpoint
}

// ResetMoto drops all of moto's state: secrets in every region, IAM users.
func ResetMoto(t testing.TB, endpoint string) {
	t.Helper()
	resp, err := http.Post(endpoint+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatalf("awstest: reset moto: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("awstest: reset moto: HTTP %d", resp.StatusCode)
	}
}

func startMoto(t testing.TB, extraEnv []string) string {
	t.Helper()
	requireMoto(t)
	env := append(withoutAWS(os.Environ()), extraEnv...)
	start := time.Now()
	defer func() { t.Logf("awstest: moto answered after %s", time.Since(start).Round(time.Millisecond)) }()
	return startServer(t, "moto", env,
		func(base string) bool { return answers(http.MethodGet, base+"/moto-api/") },
		"python3", func(port string) []string {
			return []string{"-m", "moto.server", "-H", "127.0.0.1", "-p", port}
		})
}

// requireMoto fails the test with what to install when moto is missing.
func requireMoto(t testing.TB) {
	t.Helper()
	out, err := exec.Command("python3", "-c", "import moto.server").CombinedOutput()
	if err != nil {
		t.Fatalf("awstest: moto's server is not importable by python3 (%v: %s); install it with: pip install 'moto[server]'",
			err, strings.TrimSpace(string(out)))
	}
}

// IAMUser is an access key that moto knows.
type IAMUser struct {
	Name            string
	AccessKeyID     string
	SecretAccessKey string
}

// MotoIAM is a moto server that enforces IAM: Reader may do anything with
// Secrets Manager, Denied may do nothing, any other key is unknown to it.
type MotoIAM struct {
	Endpoint string
	Reader   IAMUser
	Denied   IAMUser
}

// iamSetup creates the two users with exactly iamSetupActions requests:
// moto enforces IAM from the request after those.
const (
	iamSetupActions = "5"
	iamSetup        = `
import boto3, json, sys
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="setup", aws_secret_access_key="setup")
iam.create_user(UserName="reader")
iam.put_user_policy(UserName="reader", PolicyName="secrets", PolicyDocument=json.dumps(
    {"Version": "2012-10-17",
     "Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}]}))
r = iam.create_access_key(UserName="reader")["AccessKey"]
iam.create_user(UserName="denied")
d = iam.create_access_key(UserName="denied")["AccessKey"]
print(json.dumps({"reader": [r["AccessKeyId"], r["SecretAccessKey"]],
                  "denied": [d["AccessKeyId"], d["SecretAccessKey"]]}))
`
)

// StartMotoIAM starts a moto server that enforces IAM (see MotoIAM). It
// must not be reset: moto keeps enforcing, and the users would be gone.
func StartMotoIAM(t testing.TB) MotoIAM {
	t.Helper()
	endpoint := startMoto(t, []string{"INITIAL_NO_AUTH_ACTION_COUNT=" + iamSetupActions})
	cmd := exec.Command("python3", "-c", iamSetup, endpoint)
	cmd.Env = withoutAWS(os.Environ())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("awstest: create moto IAM users: %v\n%s", err, stderrOf(err))
	}
	var keys map[string][2]string
	if err := json.Unmarshal(out, &keys); err != nil {
		t.Fatalf("awstest: create moto IAM users: unexpected output %q", out)
	}
	user := func(name string) IAMUser {
		return IAMUser{Name: name, AccessKeyID: keys[name][0], SecretAccessKey: keys[name][1]}
	}
	return MotoIAM{Endpoint: endpoint, Reader: user("reader"), Denied: user("denied")}
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
