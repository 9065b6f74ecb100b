// Package atomicfile writes small owner-only files safely: an exclusive
// lock around read-modify-write, a temp file in the same directory, fsync,
// rename and mode 0600, so readers see the old or the new file, never part.
package atomicfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// Mode is the only mode files are written with.
const Mode fs.FileMode = 0o600

// LockTimeout bounds how long a writer waits for another process. A holder
// may be redeeming a token under the lock, which takes up to --timeout.
var LockTimeout = 45 * time.Second

// Update locks path, then calls fn with its current content (nil and
// exists=false for a missing file) and, if fn returns nil, replaces the
// file with what fn returned. A symlinked path is followed so the link
// survives the rename.
func Update(ctx context.Context, path string, fn func(old string, exists bool) ([]byte, error)) error {
	path, err := resolve(path)
	if err != nil {
		return err
	}
	unlock, err := Lock(ctx, path)
	if err != nil {
		return err
	}
	defer unlock()
	removeStaleTemps(path)
	old, err := ReadString(path)
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot read %s: %w", path, Cause(err))
	}
	data, err := fn(old, exists)
	if err != nil {
		return err
	}
	return Write(path, data)
}

func resolve(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("cannot resolve %s: %w", path, err)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real, nil
	}
	return abs, nil
}

// Lock takes path+".lock". The file itself cannot carry the lock because
// each write replaces its inode. The lock file stays; a lock held by a
// process that died is released by the kernel.
func Lock(ctx context.Context, path string) (unlock func(), err error) {
	lockPath := path + ".lock"
	// Create the lock file ourselves so it is 0600 whatever the umask.
	lf, err := os.OpenFile(lockPath, os.O_CREATE|os.O_RDWR, Mode)
	if err != nil {
		return nil, fmt.Errorf("cannot lock %s: %w; check that its directory exists and is writable", path, Cause(err))
	}
	lf.Close()
	// A blocking flock queues waiters in the kernel, which is fairer under
	// load than polling with TryLock (where one writer can starve).
	fl := flock.New(lockPath)
	locked := make(chan error, 1)
	go func() { locked <- fl.Lock() }()
	ctx, cancel := context.WithTimeout(ctx, LockTimeout)
	defer cancel()
	select {
	case err := <-locked:
		if err != nil {
			return nil, fmt.Errorf("cannot lock %s: %w", path, Cause(err))
		}
		return func() { _ = fl.Unlock() }, nil
	case <-ctx.Done():
		// Release the lock if it is granted after we gave up.
		go func() {
			if <-locked == nil {
				_ = fl.Unlock()
			}
		}()
		return nil, fmt.Errorf("%s is locked by another ksm process (waited %s); try again", path, LockTimeout)
	}
}

// tempPrefix is how Write names its temp files: "."+base+".tmp-" and
// os.CreateTemp's random digits.
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp-" }

// removeStaleTemps deletes temp files that a writer of path left behind
// when it was killed between creating and renaming one. Only the lock
// holder writes temp files, so while we hold the lock any that exist are
// stale; each holds a full or partial copy of the file (secrets included),
// so they must not pile up. Failure to remove one is harmless.
func removeStaleTemps(path string) {
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		return
	}
	prefix := tempPrefix(path)
	for _, e := range entries {
		name := e.Name()
		digits, ok := strings.CutPrefix(name, prefix)
		if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" || !e.Type().IsRegular() {
			continue
		}
		_ = os.Remove(filepath.Join(filepath.Dir(path), name))
	}
}

// Write replaces path with data: a temp file in the same directory, fsync,
// rename, fsync of the directory. The result is always mode 0600.
func Write(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, tempPrefix(path)+"*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w; check that the directory is writable", path, Cause(err))
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// CreateTemp already uses 0600; chmod guards against odd filesystems.
	if err = tmp.Chmod(Mode); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, Cause(err))
	}
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("cannot write %s: %w; is the disk full?", path, Cause(err))
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, Cause(err))
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, Cause(err))
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("cannot replace %s: %w", path, Cause(err))
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync() // makes the rename durable; not every filesystem supports it
		d.Close()
	}
	return nil
}

// ReadString reads a whole file into a string with a single allocation:
// callers that parse it can keep substrings of it without another copy.
func ReadString(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.Grow(int(st.Size()) + 1) // +1: the read that sees EOF does not grow it
	if _, err := io.Copy(&b, f); err != nil {
		return "", err
	}
	return b.String(), nil
}

// Cause strips the path from an *fs.PathError: messages name the path once.
func Cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
