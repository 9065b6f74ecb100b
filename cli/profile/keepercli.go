package profile

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/profiles"
	"github.com/ksm-cli/ksm/internal/safetext"
)

// keeperCLIReads reports whether Keeper's CLI 1.4 can load a profile of
// this storage: its own keys in keeper.ini ("" or "internal") or "aws".
// For any other storage it fails "Unknown profile storage ... please
// update KSM CLI" on every command on the whole file, since it loads
// every profile at start (see docs/profiles.md).
func keeperCLIReads(storage string) bool {
	switch storage {
	case "", "internal", "aws":
		return true
	}
	return false
}

// warnKeeperCLI says once, on stderr, before a command writes profiles
// Keeper's CLI cannot read into the keeper.ini at path, that Keeper's CLI
// will then refuse that whole file, and how to keep the two apart. A file
// of another name than Keeper's ($KSM_INI_FILE, else keeper.ini) is already
// apart: Keeper's CLI reads it only when told to with --ini-file.
func warnKeeperCLI(f *cmdutil.Factory, path string, written ...*profiles.Profile) {
	keeperName := f.Getenv("KSM_INI_FILE")
	if keeperName == "" {
		keeperName = "keeper.ini"
	}
	if filepath.Base(path) != keeperName {
		return
	}
	var unread []string
	for _, p := range written {
		if !keeperCLIReads(p.Storage) {
			unread = append(unread, fmt.Sprintf("%s (storage = %s)", p.Name, p.Storage))
		}
	}
	if len(unread) == 0 {
		return
	}
	fmt.Fprintf(f.IO.ErrOut, "Warning: Keeper's CLI 1.4 cannot read %s, so it will refuse every command on %s; "+
		"to keep Keeper's CLI working there, keep ksm-only profiles in a file of another name (--ini-file FILE) or directory (KSM_INI_DIR).\n",
		safetext.Escape(strings.Join(unread, ", ")), safetext.Escape(path))
}
