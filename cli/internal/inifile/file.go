package inifile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/ksm-cli/ksm/internal/atomicfile"
	"github.com/ksm-cli/ksm/internal/ownership"
	"gopkg.in/ini.v1"
)

// Mode is the only mode keeper.ini is ever written with.
const Mode = atomicfile.Mode

// ErrNotExist is returned by Read for a missing file.
var ErrNotExist = errors.New("keeper.ini does not exist")

// Read parses the keeper.ini at path.
func Read(path string) (*ini.File, error) { return ReadWithin(path, 0) }

// ReadWithin is Read that gives up after limit (0: no limit), as
// --timeout asks.
func ReadWithin(path string, limit time.Duration) (*ini.File, error) {
	var deadline time.Time
	if limit > 0 {
		deadline = time.Now().Add(limit)
	}
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	f, err := parseUntil(data, deadline)
	if errors.Is(err, ErrTimeout) {
		return nil, fmt.Errorf("%s: %w (%s); point --ini-file at a smaller file or raise --timeout", path, err, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("%s is %w; fix it or point --ini-file at another file", path, err)
	}
	return f, nil
}

// readFile reads keeper.ini into a string, once: Parse's fast path
// slices it without another copy.
// A symbolic link is followed only if it and its target are the user's;
// a FIFO, device or file over atomicfile.MaxSize is refused unread, and so
// is a file the ownership rule refuses (see trust.go).
func readFile(path string) (string, error) {
	if err := CheckTrusted(path); err != nil {
		return "", err
	}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("%w at %s", ErrNotExist, path)
	case err != nil:
		return "", fmt.Errorf("cannot read %s: %w", path, atomicfile.Cause(err))
	case st.IsDir():
		return "", fmt.Errorf("%s is a directory, not a keeper.ini file; pass --ini-file with a file path", path)
	}
	real, err := atomicfile.Resolve(path)
	if err != nil {
		return "", err
	}
	data, err := atomicfile.ReadVerified(real, verifyOpened(path))
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%w at %s", ErrNotExist, path)
	}
	return data, err
}

// LooseMode reports whether the user's own keeper.ini at path can be read
// by group or others (which the user can fix with chmod; a file that is
// not the user's is for the ownership rule).
func LooseMode(path string) (fs.FileMode, bool) {
	st, err := os.Stat(path)
	if err != nil || ownership.OwnerOf(st) != os.Geteuid() {
		return 0, false
	}
	return st.Mode().Perm(), st.Mode().Perm()&0o077 != 0
}

// Update runs fn on keeper.ini under an exclusive lock and, if fn returns
// nil, replaces the file atomically with mode 0600. A missing file starts
// as New(). If fn fails, nothing is written.
func Update(ctx context.Context, path string, fn func(*ini.File) error) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		_, err := readFile(path) // the "is a directory" error
		return err
	}
	if err := CheckTrusted(path); err != nil {
		return err
	}
	return atomicfile.UpdateVerified(ctx, path, verifyOpened(path), func(old string, exists bool) ([]byte, error) {
		f := New()
		if exists {
			var err error
			if f, err = parse(old); err != nil {
				return nil, fmt.Errorf("%s is %w; fix it or point --ini-file at another file", path, err)
			}
		}
		if err := fn(f); err != nil {
			return nil, err
		}
		// Refuse rather than let the write change what it did not touch.
		if err := CheckWritable(f); err != nil {
			return nil, fmt.Errorf("cannot write %s: %w; nothing was changed", path, err)
		}
		return Encode(f), nil
	})
}
