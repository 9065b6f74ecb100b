package keyringstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"

	"github.com/ksm-cli/ksm/sdk"
)

// A save reads Keeper's profile list, changes it and writes it back, and
// writes an item and then its hash: two ksm processes saving at once would
// lose a profile from the list or pair one's item with the other's hash.
// Saves take a per-user file lock. (Keeper's CLI takes none; it is only
// safe against other ksm processes.)

// lockPath is in the user's runtime directory (a private tmpfs on Linux),
// else in the user's cache directory.
func lockPath(getenv func(string) string) (string, error) {
	if dir := getenv("XDG_RUNTIME_DIR"); dir != "" {
		return filepath.Join(dir, "ksm-keyring.lock"), nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir = filepath.Join(dir, "ksm")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return filepath.Join(dir, "keyring.lock"), nil
}

// lockSaves waits for the save lock until ctx ends. Where no lock file can
// be made, saves go unserialised rather than fail.
func (s *Store) lockSaves(ctx context.Context) (unlock func(), err error) {
	path, err := lockPath(s.getenv)
	if err != nil {
		return func() {}, nil
	}
	l := flock.New(path, flock.SetPermissions(0o600))
	ok, err := l.TryLockContext(ctx, 10*time.Millisecond)
	switch {
	case ok:
		return func() { _ = l.Unlock() }, nil
	case ctx.Err() != nil:
		if errors.Is(ctx.Err(), context.Canceled) {
			return nil, sdk.Errorf(sdk.CodeCanceled, "canceled")
		}
		return nil, sdk.Errorf(sdk.CodeDeadlineExceeded, "timed out waiting for another ksm saving to the OS keyring (lock %s)", path)
	case err != nil:
		// The lock file cannot be opened (a read-only cache directory):
		// saves go unserialised, as when there is no lock path at all.
		return func() {}, nil
	}
	return func() {}, nil // not reached: TryLockContext returns once locked, failed or ctx ended
}
