package filestore

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/ksm-cli/ksm/internal/ownership"
	"github.com/ksm-cli/ksm/sdk"
)

// checkOwned applies ksm's ownership rule (internal/ownership, OpenSSH's
// StrictModes) to the file a profile's path names, or, when it does not
// exist yet, to its directory: it and every directory above it must be the
// user's or root's and not writable by others (a sticky /tmp is fine), and
// so must every symbolic link on the way and its target. Another user's
// file could otherwise hand ksm a config of that user's choosing, or
// receive the one ksm saves.
func checkOwned(path string) error {
	target := path
	if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
		target = filepath.Dir(path)
	}
	err := ownership.Check(target)
	if err == nil || errors.Is(err, os.ErrNotExist) {
		// Missing (a dangling link, a directory Save will create): what
		// reads or writes it next says so in its own words.
		return nil
	}
	return ownershipError(err)
}

// ownershipError words a refusal of the ownership rule for the file store:
// what is wrong with which path, and what to do, naming --path. Other
// errors pass through.
func ownershipError(err error) error {
	var oe *ownership.Error
	if !errors.As(err, &oe) {
		return err
	}
	fix := "give --path a file of your own (`ksm profile setup --type=file --path FILE`)"
	if !oe.Foreign {
		fix = "run `" + oe.Hint + "`, or " + fix
	}
	return sdk.Errorf(sdk.CodePermissionDenied,
		"%s %s; ksm uses a config file only if it and its directories are yours (or root's) and no other user can write them: %s",
		oe.Path, oe.Problem, fix)
}
