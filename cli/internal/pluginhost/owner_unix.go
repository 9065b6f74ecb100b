//go:build unix

package pluginhost

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

// checkOwnership applies the ownership rule (OpenSSH's StrictModes) to
// path and every directory above it: each must be owned by the user or
// root and not writable by group or others, so that nobody else can
// replace what ksm trusts. A group- or world-writable directory is safe
// only when it is sticky (like /tmp) and owned by the user or root, and
// the entry below it is the user's or root's: then only they can remove
// or rename that entry. Symbolic links on the way are checked as entries
// and their targets as paths of their own.
func checkOwnership(path string) error {
	return checkOwnershipAs(path, os.Geteuid())
}

func checkOwnershipAs(path string, uid int) error {
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

// checkChain checks each component of path as it is named (not following
// a symbolic link in the last place).
func checkChain(path string, uid int) error {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	cur := "/"
	root, err := os.Lstat(cur)
	if err != nil {
		return err
	}
	if err := checkEntry(cur, root, uid); err != nil {
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
		if err := checkEntry(next, fi, uid); err != nil {
			return err
		}
		cur = next
	}
	return nil
}

// checkEntry checks one component: its owner and its mode. Every entry
// being the user's or root's is also what makes a sticky directory safe.
func checkEntry(path string, fi fs.FileInfo, uid int) error {
	owner := ownerOf(fi)
	if owner != uid && owner != 0 {
		return &OwnershipError{Path: path, Problem: "is owned by " + userName(owner),
			Fix: fmt.Sprintf("chown %s %s", userName(uid), path)}
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return nil // a link's own mode means nothing
	}
	if sharedWritable(fi) && !(fi.IsDir() && fi.Mode()&fs.ModeSticky != 0) {
		who := "group"
		if fi.Mode().Perm()&0o002 != 0 {
			who = "others"
		}
		return &OwnershipError{Path: path, Problem: fmt.Sprintf("is writable by %s (mode %04o)", who, fi.Mode().Perm()),
			Fix: "chmod go-w " + path}
	}
	return nil
}

func sharedWritable(fi fs.FileInfo) bool { return fi.Mode().Perm()&0o022 != 0 }

func ownerOf(fi fs.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}

func userName(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return u.Username
	}
	return "uid " + strconv.Itoa(uid)
}

// checkOpenedFile checks the plugin file ksm opened, through its
// descriptor: what is checked here is what runs.
func checkOpenedFile(path string, fi fs.FileInfo) error {
	switch {
	case !fi.Mode().IsRegular():
		return fmt.Errorf("plugin %s is not a regular file", path)
	case fi.Mode().Perm()&0o111 == 0:
		return fmt.Errorf("plugin %s is not executable; run `chmod +x %s`", path, path)
	}
	return checkEntry(path, fi, os.Geteuid())
}

// openFlags open a plugin without following a link in the last place (the
// path given is already resolved) and without blocking on a FIFO.
const openFlags = os.O_RDONLY | syscall.O_NOFOLLOW | syscall.O_NONBLOCK
