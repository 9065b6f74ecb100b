package inifile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
	"gopkg.in/ini.v1"
)

// Mode is the only mode keeper.ini is ever written with.
const Mode fs.FileMode = 0o600

// LockTimeout bounds how long a writer waits for another ksm process.
var LockTimeout = 10 * time.Second

// ErrNotExist is returned by Read for a missing file.
var ErrNotExist = errors.New("keeper.ini does not exist")

// Read parses the keeper.ini at path.
func Read(path string) (*ini.File, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	f, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s is %w; fix it or point --ini-file at another file", path, err)
	}
	return f, nil
}

func readFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%w at %s", ErrNotExist, path)
	case err != nil:
		return nil, fmt.Errorf("cannot read %s: %w", path, cause(err))
	case st.IsDir():
		return nil, fmt.Errorf("%s is a directory, not a keeper.ini file; pass --ini-file with a file path", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, cause(err))
	}
	return data, nil
}

// LooseMode reports whether path can be read or written by group or others.
func LooseMode(path string) (fs.FileMode, bool) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, false
	}
	return st.Mode().Perm(), st.Mode().Perm()&0o077 != 0
}

// Update runs fn on keeper.ini under an exclusive lock and, if fn returns
// nil, replaces the file atomically with mode 0600. A missing file starts
// as New(). If fn fails, nothing is written.
func Update(ctx context.Context, path string, fn func(*ini.File) error) error {
	path, err := resolve(path)
	if err != nil {
		return err
	}
	unlock, err := lock(ctx, path)
	if err != nil {
		return err
	}
	defer unlock()

	f, err := Read(path)
	if errors.Is(err, ErrNotExist) {
		f, err = New(), nil
	}
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		return err
	}
	return WriteAtomic(path, Encode(f))
}

// resolve follows a symlinked keeper.ini so the link survives the rename.
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

// lock takes path+".lock"; the ini itself cannot carry the lock because
// each write replaces its inode.
func lock(ctx context.Context, path string) (func(), error) {
	lockPath := path + ".lock"
	// Create the lock file ourselves so it is 0600 whatever the umask.
	lf, err := os.OpenFile(lockPath, os.O_CREATE|os.O_RDWR, Mode)
	if err != nil {
		return nil, fmt.Errorf("cannot lock %s: %w; check that its directory exists and is writable", path, cause(err))
	}
	lf.Close()
	fl := flock.New(lockPath)
	ctx, cancel := context.WithTimeout(ctx, LockTimeout)
	defer cancel()
	ok, err := fl.TryLockContext(ctx, 5*time.Millisecond)
	if err != nil || !ok {
		return nil, fmt.Errorf("%s is locked by another ksm process; try again", path)
	}
	return func() { _ = fl.Unlock() }, nil
}

// WriteAtomic replaces path with data: a temp file in the same directory,
// fsync, rename, fsync of the directory. The result is always mode 0600.
func WriteAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w; check that the directory is writable", path, cause(err))
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// CreateTemp already uses 0600; chmod guards against odd filesystems.
	if err = tmp.Chmod(Mode); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("cannot write %s: %w; is the disk full?", path, cause(err))
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, cause(err))
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, cause(err))
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("cannot replace %s: %w", path, cause(err))
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync() // makes the rename durable; not all filesystems support it
		d.Close()
	}
	return nil
}

// cause strips the path from an *fs.PathError: messages name the path once.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
