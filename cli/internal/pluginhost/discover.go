// Package pluginhost finds ksm-storage-<type> plugins, decides whether to
// trust them, and launches one for the length of a command.
package pluginhost

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/ksm-cli/ksm/shared"
)

// Plugin is one plugin executable found in a plugin directory.
type Plugin struct {
	Type string
	Path string // absolute
	// ShadowedBy is the path of an earlier plugin of the same type, which is
	// the one used; empty for the plugin in use.
	ShadowedBy string
}

// ErrUnknownType is returned for a store type no plugin provides.
var ErrUnknownType = errors.New("unknown storage type")

// Dirs returns the plugin directories in search order: KSM_PLUGIN_PATH when
// set (and then only it), else the directory of the ksm executable, then
// the user's config dir ksm/plugins. Relative entries are dropped: plugins
// never come from the current directory.
func Dirs(getenv func(string) string, exeDir, userConfigDir string) []string {
	var dirs []string
	if p := getenv("KSM_PLUGIN_PATH"); p != "" {
		dirs = filepath.SplitList(p)
	} else {
		dirs = []string{exeDir}
		if userConfigDir != "" {
			dirs = append(dirs, filepath.Join(userConfigDir, "ksm", "plugins"))
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, d := range dirs {
		if d == "" || !filepath.IsAbs(d) || seen[filepath.Clean(d)] {
			continue
		}
		seen[filepath.Clean(d)] = true
		out = append(out, filepath.Clean(d))
	}
	return out
}

// Discover lists every plugin in dirs, the first of each type in use and
// later ones marked as shadowed.
func Discover(dirs []string) []Plugin {
	var found []Plugin
	first := map[string]string{}
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue // a missing plugin directory is normal
		}
		for _, e := range entries {
			typ, ok := typeOf(e.Name())
			if !ok {
				continue
			}
			path := filepath.Join(dir, e.Name())
			if !isExecutable(path) {
				continue
			}
			p := Plugin{Type: typ, Path: path}
			if prev, ok := first[typ]; ok {
				p.ShadowedBy = prev
			} else {
				first[typ] = path
			}
			found = append(found, p)
		}
	}
	return found
}

// Find returns the plugin in use for a type.
func Find(dirs []string, typ string) (Plugin, error) {
	if !shared.ValidTypeName(typ) {
		return Plugin{}, fmt.Errorf("%w %q: a type is lower-case letters and digits, words joined by '-'", ErrUnknownType, typ)
	}
	if p, ok := lookup(dirs, typ); ok {
		return p, nil
	}
	all := Discover(dirs)
	for _, p := range all {
		if p.Type == typ && p.ShadowedBy == "" {
			return p, nil
		}
	}
	var types []string
	for _, p := range all {
		if p.ShadowedBy == "" {
			types = append(types, p.Type)
		}
	}
	sort.Strings(types)
	installed := "none is installed"
	if len(types) > 0 {
		installed = "installed: " + strings.Join(types, ", ")
	}
	return Plugin{}, fmt.Errorf("%w %q (%s); install %s%s next to ksm or in a plugin directory (see `ksm plugin list`)",
		ErrUnknownType, typ, installed, shared.BinaryPrefix, typ)
}

// lookup finds the plugin of a type the way Discover would, by the one
// name it can have: a plugin directory may be /usr/bin, where listing a
// thousand entries to find one costs a command more than a millisecond.
// Where file names ignore case, a lookup could find a file Discover would
// not match, so there Discover alone decides.
func lookup(dirs []string, typ string) (Plugin, bool) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		return Plugin{}, false
	}
	for _, dir := range dirs {
		path := filepath.Join(dir, shared.BinaryPrefix+typ)
		if isExecutable(path) && listable(dir) {
			return Plugin{Type: typ, Path: path}, true
		}
	}
	return Plugin{}, false
}

// listable reports whether Discover can read dir, as it must to find a
// plugin there.
func listable(dir string) bool {
	d, err := os.Open(dir)
	if err == nil {
		d.Close()
	}
	return err == nil
}

// isExecutable is what Discover asks of a plugin file.
func isExecutable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o111 != 0
}

func typeOf(name string) (string, bool) {
	if runtime.GOOS == "windows" {
		name = strings.TrimSuffix(name, ".exe")
	}
	typ, ok := strings.CutPrefix(name, shared.BinaryPrefix)
	return typ, ok && shared.ValidTypeName(typ)
}

// ConfigDir is the user's config directory, where the trust file and the
// user's plugin directory live: $XDG_CONFIG_HOME if absolute, else
// $HOME/.config if HOME is absolute (the OS's own place on Windows and
// macOS). Empty when there is none: ksm never keeps trust state in a
// relative directory, which would be the current one.
func ConfigDir(getenv func(string) string, goos string) string {
	if x := getenv("XDG_CONFIG_HOME"); filepath.IsAbs(x) {
		return filepath.Clean(x)
	}
	if goos == "windows" || goos == "darwin" {
		if d, err := os.UserConfigDir(); err == nil && filepath.IsAbs(d) {
			return d
		}
		return ""
	}
	if home := getenv("HOME"); filepath.IsAbs(home) {
		return filepath.Join(home, ".config")
	}
	return ""
}
