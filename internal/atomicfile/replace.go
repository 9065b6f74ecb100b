package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Replace writes data to path as a new 0600 file (Write: a temp file and a
// rename), for a file ksm only creates or replaces, never merges (`ksm -o
// FILE`). It follows no symbolic link, not even the user's own, and
// replaces no file of another user: the rename would only swap the
// directory entry, but whoever named such a path surely meant something
// else. A link planted between this check and the rename is replaced by
// the rename, never written through.
func Replace(path string, data []byte) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("cannot resolve %s: %w", path, err)
	}
	fi, err := os.Lstat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("cannot write %s: %w", abs, Cause(err))
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link, which ksm does not write through; name the real file or remove the link", abs)
	case !fi.Mode().IsRegular():
		return notRegular(abs, fi)
	case !trustedOwner(ownerOf(fi)):
		return fmt.Errorf("%s belongs to %s, so ksm leaves it alone; name a file of your own", abs, userName(ownerOf(fi)))
	default:
		if err := checkWritable(abs); err != nil {
			return err
		}
	}
	return Write(abs, data)
}
