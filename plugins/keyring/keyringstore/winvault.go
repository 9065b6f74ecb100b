package keyringstore

import (
	"encoding/binary"
	"errors"
	"unicode/utf16"
	"unicode/utf8"
)

// Windows: what Python's keyring (WinVaultKeyring, keyring/backends/
// Windows.py), and so Keeper's CLI, keeps in the Credential Manager. This
// file holds the format and the algorithm, with no Windows calls, so that
// the tests pin them on every OS; keyring_windows.go runs them on the
// Credential Manager.
//
//   - Each item is a generic credential whose UserName is the item and
//     whose blob is the secret in UTF-16 (little-endian, no BOM, no NUL),
//     with the comment "Stored using python-keyring", persisted for the
//     enterprise (roaming).
//   - Its target name is the service, for the item written last under that
//     service; saving another item first moves the one there to the target
//     ITEM@SERVICE. A read looks at the service's target, and when that
//     holds another item, at ITEM@SERVICE.
//   - A blob that is not UTF-16 is read as UTF-8, as Python's keyring does.

// winMaxBlob is the Credential Manager's limit on a generic credential's
// blob (CRED_MAX_CREDENTIAL_BLOB_SIZE: 5 * 512 bytes).
const winMaxBlob = 5 * 512

// winCredential is one generic credential.
type winCredential struct {
	UserName string
	Blob     []byte
}

// winCredentials is the Credential Manager: read returns nil, nil when no
// credential has the target name.
type winCredentials interface {
	read(target string) (*winCredential, error)
	write(target string, c winCredential) error
}

// winCompoundTarget is where an item lives when another item of its
// service was written after it.
func winCompoundTarget(service, item string) string { return item + "@" + service }

// winVaultGet is WinVaultKeyring.get_password.
func winVaultGet(creds winCredentials, service, item string) (string, error) {
	c, err := creds.read(service)
	if err != nil {
		return "", err
	}
	if c == nil || c.UserName != item {
		if c, err = creds.read(winCompoundTarget(service, item)); err != nil {
			return "", err
		}
	}
	if c == nil {
		return "", ErrNotFound
	}
	return decodeWinBlob(c.Blob)
}

// winVaultSet is WinVaultKeyring.set_password: the credential at the
// service's target moves to its compound target, then the item takes the
// service's target.
func winVaultSet(creds winCredentials, service, item, secret string) error {
	blob := encodeWinBlob(secret)
	if len(blob) > winMaxBlob {
		return errors.New("the item is too large for the Windows Credential Manager (2560 bytes in UTF-16)")
	}
	old, err := creds.read(service)
	if err != nil {
		return err
	}
	if old != nil {
		// Python's keyring decodes and re-encodes the old secret: the
		// moved copy is UTF-16 even if it was UTF-8 before.
		text, err := decodeWinBlob(old.Blob)
		if err != nil {
			return err
		}
		if err := creds.write(winCompoundTarget(service, old.UserName), winCredential{UserName: old.UserName, Blob: encodeWinBlob(text)}); err != nil {
			return err
		}
	}
	return creds.write(service, winCredential{UserName: item, Blob: blob})
}

// encodeWinBlob is the secret as win32cred writes a str: UTF-16LE.
func encodeWinBlob(s string) []byte {
	units := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(units))
	for i, u := range units {
		binary.LittleEndian.PutUint16(b[2*i:], u)
	}
	return b
}

// errNotText: the blob is neither UTF-16 nor UTF-8.
var errNotText = errors.New("the Windows credential holds neither UTF-16 nor UTF-8 text")

// decodeWinBlob is DecodingCredential.value: Python's "utf-16" codec (a
// BOM, if any, gives the byte order and is dropped; little-endian without
// one; an odd length or a lone surrogate is an error), else UTF-8.
func decodeWinBlob(b []byte) (string, error) {
	if s, ok := decodeUTF16(b); ok {
		return s, nil
	}
	if !utf8.Valid(b) {
		return "", errNotText
	}
	return string(b), nil
}

func decodeUTF16(b []byte) (string, bool) {
	if len(b)%2 != 0 {
		return "", false
	}
	order := binary.ByteOrder(binary.LittleEndian)
	switch {
	case len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE:
		b = b[2:]
	case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
		order, b = binary.BigEndian, b[2:]
	}
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = order.Uint16(b[2*i:])
	}
	for i := 0; i < len(units); i++ {
		switch u := units[i]; {
		case u >= 0xD800 && u < 0xDC00: // a high surrogate needs a low one next
			if i+1 >= len(units) || units[i+1] < 0xDC00 || units[i+1] >= 0xE000 {
				return "", false
			}
			i++
		case u >= 0xDC00 && u < 0xE000:
			return "", false
		}
	}
	return string(utf16.Decode(units)), true
}
