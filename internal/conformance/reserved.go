package conformance

// reservedNames are the names no store option or setting may take: the
// flags of `ksm profile setup` and ksm's global flags (with their aliases
// and the help flag) and the storage key. internal/setupflags owns them,
// deriving them from the flags themselves; this is a copy because this
// package is linked into plugin authors' tests (sdk/storagetest), which
// must not link ksm's CLI. TestReservedNamesAreSetupFlags ties the two.
var reservedNames = []string{"type", "t", "profile-name", "p", "from-profile", "force", "help", "h", "ini-file", "profile", "output", "color", "no-color", "no-cache", "cache", "log-level", "debug", "timeout", "storage"}
