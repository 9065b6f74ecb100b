package pluginhost

import (
	"fmt"
	"strings"

	"golang.org/x/mod/semver"

	"github.com/ksm-cli/ksm/internal/safetext"
	"github.com/ksm-cli/ksm/shared"
)

// DowngradeError refuses a plugin binary that reports an older version
// than the trusted one it replaces.
type DowngradeError struct {
	Plugin   Plugin
	Old, New string
}

func (e *DowngradeError) Error() string {
	return fmt.Sprintf("plugin %s reports version %s, older than the %s it replaces; nothing was trusted; add --force to downgrade on purpose",
		safetext.Escape(e.Plugin.Path), ShowVersion(e.New), ShowVersion(e.Old))
}

// CheckUpgrade refuses, unless force, a binary (of hash sum, described by
// desc) that reports an older version than the trusted one it replaces.
func CheckUpgrade(p Plugin, old *Record, sum string, desc *shared.Description, force bool) error {
	if force || old == nil || old.Describe == nil || old.SHA256 == sum || !newer(old.Describe.Version, desc.Version) {
		return nil
	}
	return &DowngradeError{Plugin: p, Old: old.Describe.Version, New: desc.Version}
}

// newer: version a is a later semantic version than b. Versions that are
// not semantic versions (with or without a leading v) are never ordered,
// so nothing is refused on a guess.
func newer(a, b string) bool {
	va, vb := canonical(a), canonical(b)
	return va != "" && vb != "" && semver.Compare(va, vb) > 0
}

func canonical(v string) string {
	v = strings.TrimSpace(v)
	if !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	if !semver.IsValid(v) {
		return ""
	}
	return v
}

// maxVersionRunes bounds a version as printed: it is the plugin's words.
const maxVersionRunes = 40

// ShowVersion is a plugin's version as ksm prints it: escaped and bounded,
// so that a plugin cannot retitle the terminal or reorder a line.
func ShowVersion(v string) string { return safetext.Line(v, maxVersionRunes) }
