package keyringstore

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// macOS: what Python's keyring (keyring/backends/macOS), and so Keeper's
// CLI, keeps in the Keychain: a generic password item with the service as
// kSecAttrService, the item as kSecAttrAccount and the secret's UTF-8
// bytes as its data (no encoding on top, unlike zalando/go-keyring's
// "go-keyring-base64:" prefix). ksm reaches the Keychain without cgo
// through /usr/bin/security; this file holds the command lines and the
// parsing, with no macOS calls, so that the tests pin them on every OS;
// keyring_darwin.go runs them.

// securityFindArgs finds an item; -g prints its data on stderr (see
// parseSecurityPassword). Names are not secret, so they may be arguments.
func securityFindArgs(service, item string) []string {
	return []string{"find-generic-password", "-s", service, "-a", item, "-g"}
}

// securityMaxLine is `security -i`'s line buffer (MAX_LINE_LEN in Apple's
// SecurityTool/security.c): a line, its newline and a NUL must fit.
const securityMaxLine = 4096

// securityAddLine is the command `security -i` reads on its standard
// input to add (-U: or update) an item: the secret as hex (-X) so that it
// never appears in the process list and newlines survive; the names in
// single quotes, which may not hold a quote or backslash (security.c's
// split_line takes '...' or "..." with backslash escapes).
func securityAddLine(service, item, secret string) (string, error) {
	for _, name := range []string{service, item} {
		if strings.ContainsAny(name, `'\`) {
			return "", fmt.Errorf("the keyring name %q holds a quote or backslash, which the macOS Keychain command cannot take; choose another", name)
		}
	}
	line := fmt.Sprintf("add-generic-password -U -s '%s' -a '%s' -X %s\n", service, item, hex.EncodeToString([]byte(secret)))
	if len(line) >= securityMaxLine {
		return "", errors.New("the item is too large for the macOS Keychain command (4 KiB with its names, the secret as hex)")
	}
	return line, nil
}

// parseSecurityPassword reads the data `security find-generic-password -g`
// prints on stderr:
//
//	password: "TEXT"             all printable ASCII, no backslash: TEXT itself
//	password: 0xHEX  "ESCAPED"   anything else (a Keeper item has newlines): HEX is the data
//	password: 0xHEX
//	password:                    no data
func parseSecurityPassword(stderr string) (string, error) {
	for line := range strings.Lines(stderr) {
		rest, ok := strings.CutPrefix(strings.TrimRight(line, "\r\n"), "password:")
		if !ok {
			continue
		}
		rest = strings.TrimPrefix(rest, " ")
		if h, ok := strings.CutPrefix(rest, "0x"); ok {
			h, _, _ = strings.Cut(h, " ")
			data, err := hex.DecodeString(h)
			if err != nil {
				return "", errors.New("the macOS Keychain command printed a password line ksm cannot read")
			}
			return string(data), nil
		}
		if rest == "" {
			return "", nil
		}
		if len(rest) < 2 || rest[0] != '"' || rest[len(rest)-1] != '"' {
			return "", errors.New("the macOS Keychain command printed a password line ksm cannot read")
		}
		return rest[1 : len(rest)-1], nil
	}
	return "", errors.New("the macOS Keychain command printed no password line")
}
