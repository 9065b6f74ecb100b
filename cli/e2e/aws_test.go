package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ksm-cli/ksm/plugins/aws/awstest"
)

// TestAWSScripts runs testdata/aws through ksm and ksm-storage-aws against
// a real Secrets Manager emulator (moto) and a real IMDSv2 emulator, both
// on loopback. Scripts share them, so each uses its own secret names.
func TestAWSScripts(t *testing.T) {
	moto := awstest.StartMoto(t)
	imds := awstest.StartIMDS(t)
	closed := awstest.ClosedEndpoint(t)
	vars := awstest.Env{SecretsEndpoint: moto, IMDSEndpoint: imds, DefaultCredentials: true}.Build(t)
	secrets := awstest.Secrets{Endpoint: moto}

	p := params(t, "testdata/aws")
	setup := p.Setup
	p.Setup = func(env *testscript.Env) error {
		if err := setup(env); err != nil {
			return err
		}
		for _, kv := range os.Environ() {
			if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
				env.Setenv(k, "")
			}
		}
		for _, kv := range vars {
			k, v, _ := strings.Cut(kv, "=")
			env.Setenv(k, v)
		}
		env.Setenv("MOTO", moto)
		env.Setenv("IMDS", imds)
		env.Setenv("CLOSED", closed)
		env.Setenv("KEY_ID", awstest.ProfileAccessKeyID)
		env.Setenv("KEY_SECRET", awstest.ProfileSecretAccessKey)
		env.Setenv("DEFAULT_KEY_SECRET", awstest.DefaultSecretAccessKey)
		env.Setenv("IMDS_KEY_SECRET", awstest.IMDSSecretAccessKey)
		return nil
	}
	p.Cmds["awssecret"] = func(ts *testscript.TestScript, neg bool, args []string) {
		awsSecretCmd(ts, neg, args, secrets)
	}
	testscript.Run(t, p)
}

// awssecret create NAME FILE | binary NAME FILE | get NAME: arrange or read
// a secret in moto directly, not through ksm.
func awsSecretCmd(ts *testscript.TestScript, neg bool, args []string, s awstest.Secrets) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: awssecret create|binary NAME FILE | get NAME")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := s.Client()
	switch args[0] {
	case "create", "binary":
		if len(args) != 3 {
			ts.Fatalf("usage: awssecret %s NAME FILE", args[0])
		}
		in := &secretsmanager.CreateSecretInput{Name: aws.String(args[1])}
		value := ts.ReadFile(args[2])
		if args[0] == "binary" {
			in.SecretBinary = []byte(value)
		} else {
			in.SecretString = aws.String(value)
		}
		_, err := c.CreateSecret(ctx, in)
		ts.Check(err)
	case "get":
		out, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(args[1])})
		ts.Check(err)
		fmt.Fprintln(ts.Stdout(), aws.ToString(out.SecretString))
	default:
		ts.Fatalf("unknown awssecret action %q", args[0])
	}
}
