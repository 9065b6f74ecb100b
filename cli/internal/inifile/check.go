package inifile

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"gopkg.in/ini.v1"
)

// ErrUnwritable is returned by a write that would not read back as it was:
// ini.v1 quotes some keys and values in ways that Parse reads differently
// (or not at all), so a key with a backtick or a value with surrounding
// spaces would silently change on the next write. FuzzParse proves that
// what CheckWritable lets through is read back unchanged.
var ErrUnwritable = errors.New("cannot be written to keeper.ini unchanged")

// CheckWritable reports the first section that holds a key or value that
// keeper.ini cannot hold exactly. The message names the section only when
// it is a plain profile name, and never a key or a value: a mangled line
// can turn a secret into a key name.
func CheckWritable(f *ini.File) error {
	for _, s := range f.Sections() {
		name := s.Name()
		if name == ini.DefaultSection && len(s.Keys()) == 0 {
			continue
		}
		what := "a section"
		if PlainName(name) {
			what = "section [" + name + "]"
		}
		if !WritableSection(name) {
			return fmt.Errorf("%s has a name that %w", what, ErrUnwritable)
		}
		for _, k := range s.Keys() {
			if !WritableKey(k.Name()) {
				return fmt.Errorf("%s has a key name that %w (a quote, a backtick, '=' or ':', a leading '#', ';' or '[', a line break, or surrounding spaces)", what, ErrUnwritable)
			}
			if !WritableValue(k.Value()) {
				return fmt.Errorf("%s has a value that %w (a backtick, a leading \"\"\", a line break, or surrounding spaces)", what, ErrUnwritable)
			}
		}
	}
	return nil
}

// PlainName reports ^[A-Za-z0-9_-]{1,64}$ (a Keeper profile name), written out: compiling that regexp
// cost every ksm command about 60 KB and most of a millisecond at start-up.
func PlainName(name string) bool {
	if len(name) == 0 || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// WritableSection reports whether a section name is written and read back
// unchanged.
func WritableSection(name string) bool {
	return name != "" && !hasControl(name) && strings.TrimSpace(name) == name
}

// WritableKey reports whether a key name (bare or not) is written and read
// back unchanged: ini.v1 quotes names holding a quote or a delimiter, and
// reads a leading '#', ';' or '[' as a comment or a section.
func WritableKey(name string) bool {
	if name == "" || name == "-" || hasControl(name) || strings.TrimSpace(name) != name {
		return false
	}
	if strings.ContainsAny(name[:1], "#;[") || strings.ContainsAny(name, "=:\"`") {
		return false
	}
	return true
}

// WritableValue reports whether a value is written and read back
// unchanged: ini.v1 wraps values with a line break or a backtick in """,
// and values with surrounding spaces in "...", which Parse keeps.
func WritableValue(v string) bool {
	if v == "" {
		return true
	}
	return !hasControl(v) && strings.TrimSpace(v) == v && !strings.ContainsAny(v, "`") &&
		!strings.HasPrefix(v, `"""`)
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, unicode.IsControl)
}
