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
)

// Mode is the only mode files are written with.
const Mode fs.FileMode = 0o600

// LockTimeout bounds how long a writer waits for another process (ksm
// sets it to --timeout). A ctx deadline that comes sooner wins.
var LockTimeout = 45 * time.Second

// MaxSize bounds what is read: keeper.ini holds a few KiB per profile, and
// a FIFO, /dev/zero or a huge sparse file must not hang or fill memory.
const MaxSize = 16 << 20

// ErrTooLarge is returned for a file over MaxSize.
var ErrTooLarge = errors.New("larger than 16 MiB")

// Update locks path, then calls fn with its current content (nil and
// exists=false for a missing file) and, if fn returns nil, replaces the
// file with what fn returned. A symlinked path is followed, so the link
// survives the rename, only when the link and its target are the user's
// (or root's). What is not a regular file is refused before locking, and
// a file its owner made read-only is never replaced.
func Update(ctx context.Context, path string, fn func(old string, exists bool) ([]byte, error)) error {
	return UpdateVerified(ctx, path, nil, fn)
}

// Verify judges a file through its open descriptor before a byte of it is
// read: what is judged is what is read, whatever replaced the path since
// it was last looked at.
type Verify func(path string, fi fs.FileInfo) error

// UpdateVerified is Update with verify (nil: none) applied to the current
// file, under the lock, before it is read.
func UpdateVerified(ctx context.Context, path string, verify Verify, fn func(old string, exists bool) ([]byte, error)) error {
	path, err := Resolve(path)
	if err != nil {
		return err
	}
	if err := checkRegular(path); err != nil {
		return err
	}
	unlock, err := Lock(ctx, path)
	if err != nil {
		return err
	}
	defer unlock()
	removeStaleTemps(path)
	old, err := ReadVerified(path, verify)
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if exists {
		if err := checkWritable(path); err != nil {
			return err
		}
	}
	// Before fn, which may do what cannot be undone (redeem a one-time
	// token): the rename into the directory must be possible.
	if err := checkDirWritable(filepath.Dir(path)); err != nil {
		return fmt.Errorf("cannot write %s: %w; check that its directory is writable", path, err)
	}
	data, err := fn(old, exists)
	if err != nil {
		return err
	}
	return Write(path, data)
}

// Resolve makes path absolute and follows a symbolic link at its end only
// if the link and what it points to belong to the user or root: a link
// that another user planted (in /tmp, a shared directory) could otherwise
// make ksm write private keys wherever that user chose.
func Resolve(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("cannot resolve %s: %w", path, err)
	}
	fi, err := os.Lstat(abs)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return abs, nil
	}
	if owner := ownerOf(fi); !trustedOwner(owner) {
		return "", fmt.Errorf("%s is a symbolic link owned by %s; ksm follows only your own links: remove it, or pass --ini-file with the real path", abs, userName(owner))
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("%s is a symbolic link to a missing file; remove it or create its target", abs)
	}
	if ti, err := os.Lstat(real); err == nil && !trustedOwner(ownerOf(ti)) {
		return "", fmt.Errorf("%s is a symbolic link to %s, which is owned by %s; ksm follows only links to your own files", abs, real, userName(ownerOf(ti)))
	}
	return real, nil
}

// checkRegular refuses, before anything waits on it, a path that exists
// and is not a regular file: reading a FIFO blocks, a device never ends.
func checkRegular(path string) error {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().IsRegular() {
		return nil
	}
	return notRegular(path, fi)
}

func notRegular(path string, fi fs.FileInfo) error {
	kind := "not a regular file"
	switch {
	case fi.IsDir():
		kind = "a directory"
	case fi.Mode()&fs.ModeNamedPipe != 0:
		kind = "a FIFO"
	case fi.Mode()&fs.ModeDevice != 0:
		kind = "a device"
	case fi.Mode()&fs.ModeSocket != 0:
		kind = "a socket"
	}
	return fmt.Errorf("%s is %s, not a file ksm can use; point it at a regular file", path, kind)
}

// checkWritable: the owner's write bit off means the owner made the file
// read-only on purpose (Keeper's CLI refuses to write it too).
func checkWritable(path string) error {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o200 != 0 {
		return nil
	}
	return fmt.Errorf("%s is read-only (mode %04o), so ksm leaves it as it is; run `chmod u+w %s` to let ksm change it", path, fi.Mode().Perm(), path)
}

// Lock takes path+".lock". The file itself cannot carry the lock because
// each write replaces its inode. The lock file stays; a lock held by a
// process that died is released by the kernel. The wait is bounded by
// LockTimeout and ctx.
func Lock(ctx context.Context, path string) (unlock func(), err error) {
	lf, err := openLockFile(path)
	if err != nil {
		return nil, err
	}
	// A blocking flock queues waiters in the kernel, which is fairer under
	// load than polling with TryLock (where one writer can starve).
	type result struct {
		unlock func()
		err    error
	}
	locked := make(chan result, 1)
	go func() {
		unlock, err := lockFile(lf)
		locked <- result{unlock, err}
	}()
	ctx, cancel := context.WithTimeout(ctx, LockTimeout)
	defer cancel()
	start := time.Now()
	select {
	case r := <-locked:
		if r.err != nil {
			lf.Close()
			return nil, fmt.Errorf("cannot lock %s: %w", path, Cause(r.err))
		}
		return func() { r.unlock(); lf.Close() }, nil
	case <-ctx.Done():
		holder := lockHolder(lf)
		// Release the lock if it is granted after we gave up.
		go func() {
			if r := <-locked; r.err == nil {
				r.unlock()
			}
			lf.Close()
		}()
		return nil, fmt.Errorf("%s is locked by %s (waited %s); try again when it is done", path, holder, time.Since(start).Round(time.Millisecond))
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
// It refuses what is not a regular file without blocking on it (a FIFO),
// and a file over MaxSize. A missing file is an fs.ErrNotExist; other
// errors name the path and say what to do.
func ReadString(path string) (string, error) { return ReadVerified(path, nil) }

// ReadVerified is ReadString with verify (nil: none) applied to the open
// file before it is read.
func ReadVerified(path string, verify Verify) (string, error) {
	f, err := os.OpenFile(path, readFlags, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %w", path, Cause(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %w", path, Cause(err))
	}
	if !st.Mode().IsRegular() {
		return "", notRegular(path, st)
	}
	if verify != nil {
		if err := verify(path, st); err != nil {
			return "", err
		}
	}
	if st.Size() > MaxSize {
		return "", fmt.Errorf("%s is %w; it cannot be a file ksm wrote", path, ErrTooLarge)
	}
	var b strings.Builder
	b.Grow(int(st.Size()) + 1) // +1: the read that sees EOF does not grow it
	n, err := io.Copy(&b, io.LimitReader(f, MaxSize+1))
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %w", path, Cause(err))
	}
	if n > MaxSize {
		return "", fmt.Errorf("%s is %w; it cannot be a file ksm wrote", path, ErrTooLarge)
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
