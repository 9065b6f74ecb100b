// Package setupflags names what a store may not call its options or
// settings: the flags `ksm profile setup` has of its own.
package setupflags

// ReservedNames are the names a store's options and settings must not use.
//
// TODO(trust-boundary issue): derive these from profile setup's own flags
// and aliases (and ksm's global flags) plus "storage", instead of this list.
func ReservedNames() []string {
	return []string{"type", "profile", "profile-name", "p", "from-profile", "force", "help", "h", "ini-file", "debug", "timeout", "name", "storage"}
}
