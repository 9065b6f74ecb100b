package inifile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/ksm-cli/ksm/internal/ownership"
	"github.com/ksm-cli/ksm/internal/safetext"
)

// keeper.ini is obeyed: a profile's storage, its store's address and the
// files its settings name decide where ksm sends the user's credentials.
// So a keeper.ini ksm reads or writes must be one only the user (or root)
// could have written: the ownership rule plugins obey (internal/ownership),
// applied to the file and every directory above it before a byte is read,
// and again to the open descriptor (no window between check and read).
// The search order stays Keeper's; a file another user planted where it
// searches is refused, loudly, not skipped.

// UntrustedError is a keeper.ini refused by the ownership rule.
type UntrustedError struct {
	Path string           // the keeper.ini
	Rule *ownership.Error // the file or directory that breaks the rule
}

func (e *UntrustedError) Error() string {
	path := safetext.Escape(e.Path)
	what, fix := "it", ""
	if e.Rule.Path != e.Path {
		what = "its directory " + safetext.Escape(e.Rule.Path)
	}
	problem := e.Rule.Problem
	if e.Rule.Foreign {
		problem = "is owned by " + ownership.UserName(e.Rule.Owner) + ", not by you or root"
	}
	// Offer a chmod only to the user who can run it.
	if !e.Rule.Foreign && e.Rule.Owner == os.Geteuid() {
		fix = fmt.Sprintf("run `chmod go-w %s`, ", safetext.Escape(e.Rule.Path))
	}
	remove := ", or remove it"
	if what != "it" {
		remove = ""
	}
	return fmt.Sprintf("refusing keeper.ini %s: %s %s, so another user could choose where your credentials go; %spass --ini-file with a keeper.ini of your own or set KSM_INI_DIR%s",
		path, what, problem, fix, remove)
}

func (e *UntrustedError) Unwrap() error { return e.Rule }

// CheckTrusted applies the rule to the keeper.ini at path and every
// directory above it (to its directory alone while it does not exist).
// Only a breach of the rule is its to report: a missing directory, a
// parent that is a file, a FIFO or a device are left to the read or write,
// which name them in their own words (and refuse them).
func CheckTrusted(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil
	}
	target := abs
	if fi, err := os.Stat(abs); err != nil {
		target = filepath.Dir(abs)
	} else if !fi.Mode().IsRegular() {
		return nil
	}
	var oe *ownership.Error
	if errors.As(ownership.Check(target), &oe) {
		return &UntrustedError{Path: path, Rule: oe}
	}
	return nil
}

// verifyOpened is the rule on the open keeper.ini: the file read is the
// file judged.
func verifyOpened(iniPath string) func(string, fs.FileInfo) error {
	return func(path string, fi fs.FileInfo) error {
		err := ownership.CheckOpened(path, fi)
		var oe *ownership.Error
		if errors.As(err, &oe) {
			oe.Path = iniPath
			return &UntrustedError{Path: iniPath, Rule: oe}
		}
		return err
	}
}
