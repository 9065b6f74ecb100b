// Package vaultstore is the HashiCorp Vault (and OpenBao) storage for ksm
// profiles: a profile's client config lives in a KV version 2 secret,
// reached with a Vault token, AppRole or Kubernetes auth. Secrets (tokens,
// AppRole secret ids, service-account JWTs) are read from the environment
// or files at each use and never land in keeper.ini.
package vaultstore

import (
	"context"
	"sync"

	"github.com/hashicorp/go-hclog"

	"github.com/ksm-cli/ksm/sdk"
)

// Store implements sdk.Store on a Vault KV v2 mount.
type Store struct {
	log     hclog.Logger
	version string

	// setupSecretIDs holds an AppRole secret id given to Validate (from
	// stdin or VAULT_SECRET_ID at setup) for the rest of this process, so
	// that setup's proof-of-access Load can log in; it is never persisted.
	mu             sync.Mutex
	setupSecretIDs map[string]string

	// afterRead, if set, runs between Save's read and its write: tests
	// change the secret there to see check-and-set refuse the write.
	afterRead func()
}

var _ sdk.Store = (*Store)(nil)

// Options configure a Store; the zero value is a working store.
type Options struct {
	// Version is what Describe reports (empty: the sdk reports the
	// module's version).
	Version string
	// Log gets debug lines, never a secret value; nil discards them.
	Log hclog.Logger
}

// New returns the store.
func New(o Options) *Store {
	log := o.Log
	if log == nil {
		log = hclog.NewNullLogger()
	}
	return &Store{log: log, version: o.Version, setupSecretIDs: map[string]string{}}
}

// Describe is static: no network, no credentials.
func (s *Store) Describe(_ context.Context, _ *sdk.DescribeRequest) (*sdk.DescribeResponse, error) {
	return &sdk.DescribeResponse{Description: sdk.Description{
		Name:    "vault",
		Version: s.version,
		Summary: "HashiCorp Vault or OpenBao (KV v2), reached with a token, AppRole or Kubernetes auth",
		Options: options(),
		CanSave: true,
		// The Vault client reads VAULT_CACERT, VAULT_CAPATH, VAULT_SKIP_VERIFY,
		// VAULT_CLIENT_CERT/KEY, VAULT_TLS_SERVER_NAME, VAULT_MAX_RETRIES, ...;
		// the store reads VAULT_TOKEN and VAULT_SECRET_ID.
		Env: []string{"VAULT_*"},
	}}, nil
}

// Validate checks setup options and returns the keeper.ini settings. It
// makes no Vault call: setup loads the config right after, which proves
// access.
func (s *Store) Validate(_ context.Context, req *sdk.ValidateRequest) (*sdk.ValidateResponse, error) {
	t, secretID, err := validate(req.Options)
	if err != nil {
		return nil, err
	}
	if secretID != "" {
		s.mu.Lock()
		s.setupSecretIDs[t.loginKey()] = secretID
		s.mu.Unlock()
	}
	return &sdk.ValidateResponse{Settings: t.settings()}, nil
}

// setupSecretID is the secret id Validate was given for t's role, if any.
func (s *Store) setupSecretID(t target) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.setupSecretIDs[t.loginKey()]
}
