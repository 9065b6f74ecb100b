package awstest

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Secrets reaches moto's Secrets Manager to arrange and inspect secrets,
// independently of the environment.
type Secrets struct {
	Endpoint string
	Region   string  // empty means Region
	User     IAMUser // zero means any keys (moto not enforcing IAM)
}

// Client is a Secrets Manager client for s.
func (s Secrets) Client() *secretsmanager.Client {
	region, id, key := s.Region, s.User.AccessKeyID, s.User.SecretAccessKey
	if region == "" {
		region = Region
	}
	if id == "" {
		id, key = "AKIAAWSTESTHELPER001", "awstest-helper-secret"
	}
	return secretsmanager.New(secretsmanager.Options{
		Region:       region,
		BaseEndpoint: aws.String(s.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(id, key, ""),
	})
}

// Create creates a secret holding value and returns its ARN.
func (s Secrets) Create(t testing.TB, name, value string) string {
	t.Helper()
	return s.create(t, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)})
}

// CreateBinary creates a secret holding value as SecretBinary and returns
// its ARN.
func (s Secrets) CreateBinary(t testing.TB, name string, value []byte) string {
	t.Helper()
	return s.create(t, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretBinary: value})
}

// CreateEmpty creates a secret with no value yet and returns its ARN.
func (s Secrets) CreateEmpty(t testing.TB, name string) string {
	t.Helper()
	return s.create(t, &secretsmanager.CreateSecretInput{Name: aws.String(name)})
}

func (s Secrets) create(t testing.TB, in *secretsmanager.CreateSecretInput) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := s.Client().CreateSecret(ctx, in)
	if err != nil {
		t.Fatalf("awstest: create secret %q: %v", aws.ToString(in.Name), err)
	}
	return aws.ToString(out.ARN)
}

// Put stores a new current value in an existing secret.
func (s Secrets) Put(t testing.TB, name, value string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.Client().PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: aws.String(name), SecretString: aws.String(value)}); err != nil {
		t.Fatalf("awstest: put secret %q: %v", name, err)
	}
}

// Value returns a secret's current SecretString, or SecretBinary as a
// string.
func (s Secrets) Value(t testing.TB, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := s.Client().GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
	if err != nil {
		t.Fatalf("awstest: get secret %q: %v", name, err)
	}
	if out.SecretString != nil {
		return *out.SecretString
	}
	return string(out.SecretBinary)
}

// Versions counts a secret's versions.
func (s Secrets) Versions(t testing.TB, name string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := s.Client().ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(name)})
	if err != nil {
		t.Fatalf("awstest: list versions of %q: %v", name, err)
	}
	return len(out.Versions)
}
