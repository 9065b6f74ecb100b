// Package inifile finds, reads and safely writes keeper.ini: the search
// order of Keeper's CLI, Python configparser's layout, an exclusive lock
// around every read-modify-write, atomic replacement and mode 0600.
package inifile

import (
	"os"
	"path/filepath"
)

// DefaultName is keeper.ini's file name unless KSM_INI_FILE says otherwise.
const DefaultName = "keeper.ini"

// Env is what locating keeper.ini depends on, injected for tests.
type Env struct {
	Getenv func(string) string
	Cwd    string
	Home   string
	GOOS   string
}

func (e Env) fileName() string {
	if n := e.Getenv("KSM_INI_FILE"); n != "" {
		return n
	}
	return DefaultName
}

// SearchPaths lists where keeper.ini is looked for, first match wins.
// When KSM_INI_DIR is set it is the only place: a stray ./keeper.ini must
// never redirect a container that chose its directory (Keeper's CLI looks
// in the current directory first). Unlike Keeper's CLI, /etc paths are
// absolute.
func (e Env) SearchPaths() []string {
	name := e.fileName()
	var dirs []string
	if d := e.Getenv("KSM_INI_DIR"); d != "" {
		dirs = append(dirs, d)
	} else {
		dirs = e.searchDirs(dirs)
	}
	paths := make([]string, 0, len(dirs))
	seen := map[string]bool{}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if filepath.IsAbs(name) {
			p = name
		}
		if !seen[p] {
			seen[p] = true
			paths = append(paths, p)
		}
	}
	return paths
}

// searchDirs appends the directories searched when KSM_INI_DIR is unset.
func (e Env) searchDirs(dirs []string) []string {
	if e.Cwd != "" {
		dirs = append(dirs, e.Cwd)
	}
	if e.Home != "" {
		dirs = append(dirs, e.Home, filepath.Join(e.Home, ".config", "ksm"), filepath.Join(e.Home, ".keeper"))
	}
	if e.GOOS == "windows" {
		for _, v := range []string{"USERPROFILE", "APPDATA", "PROGRAMDATA", "PROGRAMFILES"} {
			d := e.Getenv(v)
			if d == "" {
				continue
			}
			if v != "USERPROFILE" {
				d = filepath.Join(d, "Keeper")
			}
			dirs = append(dirs, d)
		}
	} else {
		dirs = append(dirs, "/etc", "/etc/ksm", "/etc/keeper")
	}
	return dirs
}

// WritePath is where a new keeper.ini is created: $KSM_INI_DIR, else the
// current directory, joined with $KSM_INI_FILE.
func (e Env) WritePath() string {
	name := e.fileName()
	if filepath.IsAbs(name) {
		return name
	}
	dir := e.Getenv("KSM_INI_DIR")
	if dir == "" {
		dir = e.Cwd
	}
	return filepath.Join(dir, name)
}

// Find returns the first search path that exists (as anything: a directory
// there is reported by Read rather than silently skipped).
func (e Env) Find() (string, bool) {
	for _, p := range e.SearchPaths() {
		if _, err := os.Stat(p); err == nil {
			return p, true
		}
	}
	return "", false
}
