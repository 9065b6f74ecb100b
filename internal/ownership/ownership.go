// Package ownership holds the one ownership rule ksm applies to what it
// trusts (plugins, their trust file, keeper.ini, files named by store
// settings): OpenSSH's StrictModes. A path is safe when it and every
// directory above it are owned by the user or root and not writable by
// group or others; a group- or world-writable directory is safe only when
// it is sticky (like /tmp) and the entry below it is the user's or root's.
package ownership

import "fmt"

// Error says which path breaks the rule, whose it is and how to fix it.
// Callers that know better words for their context (keeper.ini: "pass
// --ini-file") build their own line from the fields.
type Error struct {
	Path    string // the file or directory that breaks the rule
	Owner   int    // its owner's uid (-1 when unknown)
	Problem string // "is owned by alice", "is writable by others (mode 0777)"
	// Hint is the command that fixes it, e.g. "chmod go-w /opt/plugins";
	// "chown …" when the owner is wrong (which only root can run).
	Hint string
	// Foreign: the path belongs to another user (not a mode problem the
	// user can fix alone).
	Foreign bool
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s %s, so another user could replace what ksm runs; run `%s`", e.Path, e.Problem, e.Hint)
}
