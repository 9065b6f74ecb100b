//go:build !unix

package atomicfile

import (
	"fmt"
	"io/fs"
	"os"

	"github.com/gofrs/flock"
)

const readFlags = os.O_RDONLY

// openLockFile: ownership is not checked off unix.
func openLockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, Mode)
	if err != nil {
		return nil, fmt.Errorf("cannot lock %s: %w; check that its directory exists and is writable", path, Cause(err))
	}
	return f, nil
}

func lockFile(f *os.File) (unlock func(), err error) {
	fl := flock.New(f.Name())
	if err := fl.Lock(); err != nil {
		return nil, err
	}
	return func() { _ = fl.Unlock() }, nil
}

func lockHolder(*os.File) string { return "another process" }

func ownerOf(fs.FileInfo) int { return 0 }
func trustedOwner(int) bool   { return true }
func userName(uid int) string { return fmt.Sprint(uid) }

func checkDirWritable(string) error { return nil }
