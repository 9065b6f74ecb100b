package main

import (
	"os"
	"testing"

	"github.com/ksm-cli/ksm/plugins/aws/awstest"
	"github.com/ksm-cli/ksm/sdk/storagetest"
	"github.com/ksm-cli/ksm/shared"
)

var binary string

func TestMain(m *testing.M) { storagetest.Main(m, ".", "aws", &binary) }

// TestConformance runs ksm-storage-aws as ksm does (its own process, the
// reduced environment) through the whole contract, against moto.
func TestConformance(t *testing.T) {
	moto := awstest.StartMoto(t)
	env := append([]string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")},
		awstest.Env{SecretsEndpoint: moto}.Build(t)...)
	storagetest.Run(t, storagetest.Config{
		Binary: binary,
		Env:    env,
		ValidOptions: map[string]string{"credentials": "profile", "credentials-profile": awstest.Profile,
			"secret": "ksm-conformance"},
		InvalidOptions: []map[string]string{
			{"credentials": "keys", "aws-access-key-id": "AKIDEXAMPLE"},
			{"credentials": "ec2instance", "credentials-profile": awstest.Profile},
			{"credentials": "profile", "aws-access-key-id": "AKIDEXAMPLE", "aws-secret-access-key": "SECRETEXAMPLE"},
			{"secret": "not a name"},
			{"region": "nowhere"},
		},
		MissingSettings: shared.Settings{"provider": "profile", "profile": awstest.Profile, "secret": "ksm-missing"},
	})
}
