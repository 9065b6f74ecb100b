//go:build unix

package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// readFlags: never block opening a FIFO (it is refused after fstat).
const readFlags = os.O_RDONLY | syscall.O_NONBLOCK

// openLockFile opens (creating it 0600 if missing) path+".lock" without
// following a symbolic link, and accepts only a regular file of the
// user's: a lock file planted by another user, in a shared directory,
// must neither redirect ksm's create nor let that user block it.
func openLockFile(path string) (*os.File, error) {
	lockPath := path + ".lock"
	fd, err := unix.Open(lockPath, unix.O_RDWR|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, uint32(Mode))
	if err != nil {
		if fi, lerr := os.Lstat(lockPath); lerr == nil {
			if fi.Mode()&fs.ModeSymlink != 0 {
				return nil, fmt.Errorf("cannot lock %s: its lock file %s is a symbolic link (owned by %s); remove it", path, lockPath, userName(ownerOf(fi)))
			}
			if owner := ownerOf(fi); owner != os.Geteuid() {
				return nil, fmt.Errorf("cannot lock %s: its lock file %s is owned by %s; remove it", path, lockPath, userName(owner))
			}
		}
		return nil, fmt.Errorf("cannot lock %s: %w; check that its directory exists and is writable", path, err)
	}
	f := os.NewFile(uintptr(fd), lockPath)
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("cannot lock %s: %w", path, Cause(err))
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("cannot lock %s: its lock file %s is not a regular file; remove it", path, lockPath)
	}
	if owner := ownerOf(fi); owner != os.Geteuid() {
		f.Close()
		return nil, fmt.Errorf("cannot lock %s: its lock file %s is owned by %s; remove it", path, lockPath, userName(owner))
	}
	return f, nil
}

// lockFile takes an exclusive flock on f; closing f also releases it.
func lockFile(f *os.File) (unlock func(), err error) {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err == nil {
			return func() { _ = unix.Flock(int(f.Fd()), unix.LOCK_UN) }, nil
		}
		if !errors.Is(err, unix.EINTR) {
			return nil, err
		}
	}
}

func ownerOf(fi fs.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}

// trustedOwner: the user, or root.
func trustedOwner(uid int) bool { return uid == os.Geteuid() || uid == 0 }

func userName(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return u.Username
	}
	return "uid " + strconv.Itoa(uid)
}

// checkDirWritable asks the kernel whether the user may create entries in
// dir (access(2) with W_OK, which knows ACLs, read-only mounts and root).
func checkDirWritable(dir string) error {
	if err := unix.Access(dir, unix.W_OK|unix.X_OK); err != nil {
		return err
	}
	return nil
}
