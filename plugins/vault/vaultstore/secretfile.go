package vaultstore

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"github.com/ksm-cli/ksm/internal/ownership"
)

// maxSecretFile bounds what is read from a token, secret id or JWT file
// (a projected service-account token is about 1 KB).
const maxSecretFile = 64 << 10

// readSecretFile reads a small secret from a regular file. It opens
// without blocking and refuses anything else (a FIFO would hang every
// command, a device could be endless), so it neither waits nor reads
// more than maxSecretFile. Errors name the file, never its content.
func readSecretFile(path string) (string, error) {
	return readSecret(path, nil)
}

// readSettingFile is readSecretFile for a file a keeper.ini setting names
// (secret_id_file, jwt_file): the file must also pass ksm's ownership rule
// (internal/ownership): it, the directories above it and any link on the
// way are the user's or root's and not writable by others. The path is
// checked first, then the file is opened once and what is read is checked
// again through the descriptor. So another user can neither plant the
// credential ksm logs in with nor swap it in later. What the rule cannot
// tell is whether a file of the user's own is a credential at all: that
// is why the settings that name such files are trusted only from a
// keeper.ini the user owns, and why a JWT file must hold a JWT.
func readSettingFile(path string) (string, error) {
	if err := ownership.Check(path); err != nil {
		var oe *ownership.Error
		switch {
		case errors.As(err, &oe):
			return "", ownedError(oe)
		case errors.Is(err, fs.ErrNotExist):
			return "", fmt.Errorf("%s does not exist", path)
		case errors.Is(err, fs.ErrPermission):
			return "", fmt.Errorf("%s is not readable by this user", path)
		}
		return "", fmt.Errorf("cannot check %s: %v", path, err)
	}
	return readSecret(path, func(fi fs.FileInfo) error {
		var oe *ownership.Error
		if err := ownership.CheckOpened(path, fi); errors.As(err, &oe) {
			return ownedError(oe)
		} else if err != nil {
			return err
		}
		return nil
	})
}

// ownedError words a refusal of the ownership rule for a credentials file.
func ownedError(oe *ownership.Error) error {
	if oe.Foreign {
		return fmt.Errorf("%s %s; ksm reads credentials only from files that are yours (or root's) and that no other user can write", oe.Path, oe.Problem)
	}
	return fmt.Errorf("%s %s; ksm reads credentials only from files that no other user can write: run `%s`", oe.Path, oe.Problem, oe.Hint)
}

// readSecret reads the secret in path; check, if set, vets the opened file.
func readSecret(path string, check func(fs.FileInfo) error) (string, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return "", fmt.Errorf("%s does not exist", path)
		case errors.Is(err, fs.ErrPermission):
			return "", fmt.Errorf("%s is not readable by this user", path)
		}
		return "", fmt.Errorf("cannot open %s: %v", path, errors.Unwrap(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("cannot stat %s: %v", path, err)
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file (%s)", path, st.Mode().Type())
	}
	if check != nil {
		if err := check(st); err != nil {
			return "", err
		}
	}
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %v", path, err)
	}
	if len(b) > maxSecretFile {
		return "", fmt.Errorf("%s is larger than %d KB; it is not a token file", path, maxSecretFile>>10)
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", fmt.Errorf("%s holds more than one line or control characters", path)
	}
	return s, nil
}

// looksLikeJWT reports whether s has a JWT's shape: three base64url parts
// joined by dots (the signature may be empty). A service-account token
// always has it; a key, password or config file a jwt_file setting might
// name instead does not, and is never sent.
func looksLikeJWT(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return false
	}
	for _, p := range parts {
		if strings.Trim(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			return false
		}
	}
	return true
}
