//go:build windows

package keyringstore

import (
	"errors"
	"syscall"

	"github.com/danieljoos/wincred"
)

// winVaultComment is the comment Python's keyring gives its credentials.
const winVaultComment = "Stored using python-keyring"

// The Windows Credential Manager as Python's keyring keeps it (see
// winvault.go), through danieljoos/wincred (no cgo).

func osGet(service, item string) (string, error) {
	return winVaultGet(credentialManager{}, service, item)
}

func osSet(service, item, secret string) error {
	return winVaultSet(credentialManager{}, service, item, secret)
}

type credentialManager struct{}

func (credentialManager) read(target string) (*winCredential, error) {
	c, err := wincred.GetGenericCredential(target)
	if errors.Is(err, syscall.ERROR_NOT_FOUND) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &winCredential{UserName: c.UserName, Blob: c.CredentialBlob}, nil
}

func (credentialManager) write(target string, c winCredential) error {
	cred := wincred.NewGenericCredential(target)
	cred.UserName = c.UserName
	cred.CredentialBlob = c.Blob
	cred.Comment = winVaultComment
	cred.Persist = wincred.PersistEnterprise
	return cred.Write()
}
