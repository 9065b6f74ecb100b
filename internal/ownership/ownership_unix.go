//go:build unix

package ownership

import (
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Check applies the rule to path and every directory above it, for the
// effective user. Symbolic links on the way are checked as entries and
// their targets as paths of their own.
func Check(path string) error {
	return CheckAs(path, os.Geteuid())
}

// CheckAs is Check for the user uid (tests use it to play another user).
func CheckAs(path string, uid int) error {
	if !filepath.IsAbs(path) {
		return fmt.Errorf("%s is not an absolute path", path)
	}
	if err := checkChain(filepath.Clean(path), uid); err != nil {
		return err
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	if real != filepath.Clean(path) {
		return checkChain(real, uid)
	}
	return nil
}

// CheckOpened applies the rule to a file ksm opened, through its
// descriptor's FileInfo: what is checked is what is read, with no window
// between check and use. (The directories above it are Check's job.)
func CheckOpened(path string, fi fs.FileInfo) error {
	return CheckEntry(path, fi, os.Geteuid())
}

// checkChain checks each component of path as it is named (not following
// a symbolic link in the last place).
func checkChain(path string, uid int) error {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	cur := "/"
	root, err := os.Lstat(cur)
	if err != nil {
		return err
	}
	if err := CheckEntry(cur, root, uid); err != nil {
		return err
	}
	for _, part := range parts {
		if part == "" {
			continue
		}
		next := filepath.Join(cur, part)
		fi, err := os.Lstat(next)
		if err != nil {
			return err
		}
		if err := CheckEntry(next, fi, uid); err != nil {
			return err
		}
		cur = next
	}
	return nil
}

// CheckEntry checks one component for user uid: its owner and its mode.
// Every entry being the user's or root's is also what makes a sticky
// directory safe.
func CheckEntry(path string, fi fs.FileInfo, uid int) error {
	owner := OwnerOf(fi)
	if owner != uid && owner != 0 {
		return &Error{Path: path, Owner: owner, Problem: "is owned by " + UserName(owner),
			Hint: fmt.Sprintf("chown %s %s", UserName(uid), path), Foreign: true}
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return nil // a link's own mode means nothing
	}
	if fi.Mode().Perm()&0o022 != 0 && !(fi.IsDir() && fi.Mode()&fs.ModeSticky != 0) {
		who := "group"
		if fi.Mode().Perm()&0o002 != 0 {
			who = "others"
		}
		return &Error{Path: path, Owner: owner, Problem: fmt.Sprintf("is writable by %s (mode %04o)", who, fi.Mode().Perm()),
			Hint: "chmod go-w " + path}
	}
	return nil
}

// OwnerOf is the uid owning fi (-1 when the system does not say).
func OwnerOf(fi fs.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}

// UserName names uid for a message: its login, else "uid N".
func UserName(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return u.Username
	}
	return "uid " + strconv.Itoa(uid)
}

// OpenFlags open a file without following a link in the last place and
// without blocking on a FIFO.
const OpenFlags = os.O_RDONLY | syscall.O_NOFOLLOW | syscall.O_NONBLOCK
