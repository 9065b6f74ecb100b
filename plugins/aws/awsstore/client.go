package awsstore

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// SecretsAPI is the part of the Secrets Manager API the store calls, so
// unit tests fake exactly that. *secretsmanager.Client implements it.
type SecretsAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	CreateSecret(ctx context.Context, in *secretsmanager.CreateSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.CreateSecretOutput, error)
	PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
}

var _ SecretsAPI = (*secretsmanager.Client)(nil)

// session is one way into Secrets Manager: a client holding credentials
// that were already retrieved, and the region it talks to.
type session struct {
	api    SecretsAPI
	region string
	// secrets are the credential values in use, kept out of every message.
	secrets []string
}

// connector opens a session for the credential method via (the target's
// own method, or viaDefaultChain). A failure it returns is a *failure.
type connector func(ctx context.Context, t target, via string) (*session, error)
