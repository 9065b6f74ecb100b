//go:build darwin

package keyringstore

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// securityPath is macOS's Keychain command.
const securityPath = "/usr/bin/security"

// securityNotFound: the exit status of `security` for a missing item
// (errSecItemNotFound, -25300, as an exit code).
const securityNotFound = 44

// The macOS Keychain as Python's keyring keeps it (see macos.go), through
// /usr/bin/security: no cgo, so ksm's static builds reach it.

func osGet(service, item string) (string, error) {
	cmd := exec.Command(securityPath, securityFindArgs(service, item)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() == securityNotFound:
		return "", ErrNotFound
	case err != nil:
		return "", fmt.Errorf("the macOS Keychain command failed: %w", err)
	}
	return parseSecurityPassword(stderr.String())
}

func osSet(service, item, secret string) error {
	line, err := securityAddLine(service, item, secret)
	if err != nil {
		return err
	}
	cmd := exec.Command(securityPath, "-i")
	cmd.Stdin = strings.NewReader(line)
	// Its output may echo the line, which holds the secret: never shown.
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("the macOS Keychain command failed to save the item: %w", err)
	}
	return nil
}
