package filestore

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"

	"github.com/ksm-cli/ksm/shared"
)

// Save writes the config atomically (a temp file in the same directory,
// fsync, rename) with mode 0600, holding an exclusive lock on FILE.lock.
// It refuses to replace a file that is not a ksm config unless Overwrite.
func (*Store) Save(ctx context.Context, req shared.SaveRequest) error {
	path, err := settingsPath(req.Settings)
	if err != nil {
		return err
	}
	if err := req.Config.Validate(); err != nil {
		return shared.Errorf(shared.CodeInvalidArgument, "cannot save: %v", err)
	}
	// Write through a symlink, as an editor would, keeping the link.
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	// A new store file may need its directory (`--path ~/.ksm/prod.json`);
	// created owner-only, like the file.
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fileError("create the directory of", path, err)
	}
	unlock, err := lock(ctx, path)
	if err != nil {
		return err
	}
	defer unlock()
	if err := checkReplaceable(path, req.Overwrite); err != nil {
		return err
	}
	data := append(shared.MarshalConfig(req.Config), '\n')
	return writeAtomic(path, data)
}

func lock(ctx context.Context, path string) (unlock func(), err error) {
	l := flock.New(path+".lock", flock.SetPermissions(0o600))
	ok, err := l.TryLockContext(ctx, 10*time.Millisecond)
	switch {
	case ok:
		return func() { _ = l.Unlock() }, nil
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return nil, shared.Errorf(shared.CodeDeadlineExceeded, "timed out waiting for the lock on %s (another ksm is writing it)", path)
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case err != nil:
		return nil, fileError("lock", path, err)
	}
	return nil, shared.Errorf(shared.CodeUnavailable, "cannot lock %s", path)
}

// checkReplaceable allows a missing file or a ksm config; anything else
// only with overwrite.
func checkReplaceable(path string, overwrite bool) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fileError("write", path, err)
	case fi.IsDir():
		return shared.Errorf(shared.CodeInvalidArgument, "%s is a directory", path)
	case overwrite:
		return nil
	}
	data, err := readFile(path)
	if err == nil {
		_, err = shared.ParseConfig(data)
	}
	if err != nil {
		return shared.Errorf(shared.CodeAlreadyExists, "%s exists and does not hold a ksm config; refusing to replace it without overwrite", path)
	}
	return nil
}

func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fileError("write", path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	// CreateTemp already uses 0600; Chmod states it whatever the umask.
	if err := tmp.Chmod(0o600); err != nil {
		return fileError("write", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fileError("write", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fileError("write", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fileError("write", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fileError("write", path, err)
	}
	// The rename itself must reach the disk too.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
