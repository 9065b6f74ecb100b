//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package keyringstore

import "github.com/zalando/go-keyring"

// Elsewhere (macOS Keychain, Windows Credential Manager) the library's own
// calls are used; see the README for what that means for Keeper interop.

func osGet(service, item string) (string, error) { return keyring.Get(service, item) }

func osSet(service, item, secret string) error { return keyring.Set(service, item, secret) }
