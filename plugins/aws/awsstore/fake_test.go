package awsstore

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
	"github.com/hashicorp/go-hclog"
)

// fakeSecret is a secret in fakeAPI; a nil value means it has none yet.
type fakeSecret struct {
	str *string
	bin []byte
}

// fakeAPI is an in-memory SecretsAPI. errs, by operation name, make the
// next calls fail; calls records operation names in order.
type fakeAPI struct {
	mu      sync.Mutex
	secrets map[string]*fakeSecret
	errs    map[string]error
	calls   []string
}

func newFakeAPI() *fakeAPI {
	return &fakeAPI{secrets: map[string]*fakeSecret{}, errs: map[string]error{}}
}

func notFound() error {
	return &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "Secrets Manager can't find the specified secret."}
}

func (f *fakeAPI) record(op string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, op)
	return f.errs[op]
}

func (f *fakeAPI) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	if err := f.record("Get"); err != nil {
		return nil, err
	}
	s, ok := f.secrets[aws.ToString(in.SecretId)]
	if !ok || (s.str == nil && s.bin == nil) {
		return nil, notFound()
	}
	return &secretsmanager.GetSecretValueOutput{SecretString: s.str, SecretBinary: s.bin}, nil
}

func (f *fakeAPI) CreateSecret(_ context.Context, in *secretsmanager.CreateSecretInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.CreateSecretOutput, error) {
	if err := f.record("Create"); err != nil {
		return nil, err
	}
	name := aws.ToString(in.Name)
	if _, ok := f.secrets[name]; ok {
		return nil, &smithy.GenericAPIError{Code: "ResourceExistsException", Message: "exists"}
	}
	f.secrets[name] = &fakeSecret{str: in.SecretString, bin: in.SecretBinary}
	return &secretsmanager.CreateSecretOutput{}, nil
}

func (f *fakeAPI) PutSecretValue(_ context.Context, in *secretsmanager.PutSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error) {
	if err := f.record("Put"); err != nil {
		return nil, err
	}
	s, ok := f.secrets[aws.ToString(in.SecretId)]
	if !ok {
		return nil, notFound()
	}
	s.str, s.bin = in.SecretString, in.SecretBinary
	return &secretsmanager.PutSecretValueOutput{}, nil
}

// fakeConn hands out sessions by credential method: api[via], or errs[via]
// when set. vias records the methods asked for, in order.
type fakeConn struct {
	api  map[string]SecretsAPI
	errs map[string]error
	vias []string
}

func (c *fakeConn) connect(_ context.Context, _ target, via string) (*session, error) {
	c.vias = append(c.vias, via)
	if err := c.errs[via]; err != nil {
		return nil, err
	}
	return &session{api: c.api[via], region: "us-east-1", secrets: []string{"FAKE-SESSION-KEY"}}, nil
}

// storeWith is a Store whose every method reaches api.
func storeWith(api SecretsAPI) *Store {
	c := &fakeConn{api: map[string]SecretsAPI{methodEC2: api, methodProfile: api, methodKeys: api, viaDefaultChain: api}}
	return &Store{log: hclog.NewNullLogger(), connect: c.connect}
}
