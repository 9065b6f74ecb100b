package vaultstore

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// maxSecretFile bounds what is read from a token, secret id or JWT file
// (a projected service-account token is about 1 KB).
const maxSecretFile = 64 << 10

// readSecretFile reads a small secret from a regular file. It opens
// without blocking and refuses anything else (a FIFO would hang every
// command, a device could be endless), so it neither waits nor reads
// more than maxSecretFile. Errors name the file, never its content.
func readSecretFile(path string) (string, error) {
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
