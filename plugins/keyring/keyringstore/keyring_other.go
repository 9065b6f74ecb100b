//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd || darwin || windows)

package keyringstore

import "github.com/zalando/go-keyring"

// Elsewhere (no Secret Service, Keychain or Credential Manager) the
// library's own calls, which answer that the platform is not supported.

func osGet(service, item string) (string, error) { return keyring.Get(service, item) }

func osSet(service, item, secret string) error { return keyring.Set(service, item, secret) }
