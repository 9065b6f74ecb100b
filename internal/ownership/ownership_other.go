//go:build !unix

package ownership

import (
	"io/fs"
	"os"
	"strconv"
)

// Check: file ownership is not checked off unix.
func Check(string) error { return nil }

// CheckAs: file ownership is not checked off unix.
func CheckAs(string, int) error { return nil }

// CheckOpened: file ownership is not checked off unix.
func CheckOpened(string, fs.FileInfo) error { return nil }

// CheckEntry: file ownership is not checked off unix.
func CheckEntry(string, fs.FileInfo, int) error { return nil }

// OwnerOf is unknown off unix.
func OwnerOf(fs.FileInfo) int { return -1 }

// UserName names uid for a message.
func UserName(uid int) string { return "uid " + strconv.Itoa(uid) }

// OpenFlags open a file for reading.
const OpenFlags = os.O_RDONLY
