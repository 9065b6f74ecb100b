package keyringstore

import (
	"errors"

	"github.com/zalando/go-keyring"
)

// Keyring is the OS keyring as the store uses it: one secret per service
// and user (Python keyring's "username", Keeper's item name).
type Keyring interface {
	// Get returns ErrNotFound when there is no such item.
	Get(service, item string) (string, error)
	Set(service, item, secret string) error
}

// ErrNotFound: the keyring has no such item.
var ErrNotFound = keyring.ErrNotFound

// OSKeyring is the platform's keyring through zalando/go-keyring: the
// Secret Service over D-Bus (GNOME Keyring, KWallet) on Linux and the
// BSDs, with Python keyring's item attributes (keyring_secretservice.go);
// the Keychain through /usr/bin/security on macOS, the Credential Manager
// on Windows; all without cgo.
type OSKeyring struct{}

func (OSKeyring) Get(service, item string) (string, error) {
	s, err := osGet(service, item)
	return s, notFound(err)
}

func (OSKeyring) Set(service, item, secret string) error {
	return osSet(service, item, secret)
}

func notFound(err error) error {
	if errors.Is(err, keyring.ErrNotFound) {
		return ErrNotFound
	}
	return err
}
