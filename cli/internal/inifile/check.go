package inifile

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"gopkg.in/ini.v1"
)

// ErrUnwritable is returned by a write that would not read back as it was:
// configparser strips, lower-cases and splits what it reads, so a key or
// value that it would read otherwise than ksm wrote it is refused before
// anything is written. FuzzParse and the differential tests prove that
// what CheckWritable lets through is read back unchanged, by ksm and by
// python3's configparser.
var ErrUnwritable = errors.New("cannot be written to keeper.ini unchanged")

// CheckWritable reports the first section that holds a key or value that
// keeper.ini cannot hold exactly. The message names the section only when
// it is a plain profile name, and never a key or a value: a mangled line
// can turn a secret into a key name.
func CheckWritable(f *ini.File) error {
	for _, s := range f.Sections() {
		name := s.Name()
		if name == ini.DefaultSection {
			if len(s.Keys()) > 0 {
				return fmt.Errorf("its [DEFAULT] section %w: configparser gives its keys to every profile, which ksm reads but does not rewrite; move its keys into the profiles that need them and remove it", ErrUnwritable)
			}
			continue
		}
		what := sectionLabel(name)
		if what[0] == '[' {
			what = "section " + what
		} else {
			what = "a section"
		}
		if !WritableSection(name) {
			return fmt.Errorf("%s has a name that %w (empty, DEFAULT, a ']', a line break or not UTF-8)", what, ErrUnwritable)
		}
		for _, k := range s.Keys() {
			if !WritableKey(k.Name()) {
				return fmt.Errorf("%s has a key name that %w (upper case, '=' or ':', a leading '#', ';' or '[', surrounding spaces, a line break or not UTF-8)", what, ErrUnwritable)
			}
			if !WritableValue(k.Value()) {
				return fmt.Errorf("%s has a value that %w (surrounding spaces on a line, a line starting with '#' or ';' after the first, a trailing line break, a carriage return or not UTF-8)", what, ErrUnwritable)
			}
		}
	}
	return nil
}

// NameRule is the profile-name rule, as error messages and docs state it.
const NameRule = "1-64 letters, digits, '_' or '-', not starting with '-', and neither DEFAULT nor _config"

// ValidName checks a profile name: ^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$, and
// not DEFAULT (configparser's defaults section: its keys would go to every
// profile) nor _config (Keeper's settings). A leading '-' would read as an
// option on every command line that names the profile. Written out rather
// than as a regexp: compiling one cost every ksm command about 60 KB and
// most of a millisecond at start-up.
func ValidName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("a profile name cannot be empty; use %s", NameRule)
	case name == ConfigSection:
		return fmt.Errorf("%q is reserved for Keeper's settings; choose another profile name (%s)", name, NameRule)
	case name == ini.DefaultSection:
		return fmt.Errorf("%q is configparser's defaults section, whose keys go to every profile; choose another profile name (%s)", name, NameRule)
	case name[0] == '-':
		return fmt.Errorf("invalid profile name %q: it starts with '-', which reads as an option; use %s", name, NameRule)
	case len(name) > 64:
		return fmt.Errorf("invalid profile name: it is %d characters long; use %s", len(name), NameRule)
	}
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '-':
		default:
			return fmt.Errorf("invalid profile name %q: use %s", name, NameRule)
		}
	}
	return nil
}

// PlainName reports whether name is a valid profile name (see ValidName).
func PlainName(name string) bool { return ValidName(name) == nil }

// WritableSection reports whether a section name is written and read back
// unchanged: configparser's header ends at the first ']' before Python
// 3.10 and at the last one since, and DEFAULT is no section.
func WritableSection(name string) bool {
	return name != "" && name != ini.DefaultSection && utf8.ValidString(name) && !strings.ContainsAny(name, "]\r\n")
}

// WritableKey reports whether a key name (bare or not) is written and read
// back unchanged: configparser strips and lower-cases it, ends it at the
// first '=' or ':', and reads a leading '#' or ';' as a comment and '[' as
// a possible section.
func WritableKey(name string) bool {
	if name == "" || !utf8.ValidString(name) || pyStrip(name) != name || pyLower(name) != name {
		return false
	}
	return !strings.ContainsAny(name[:1], "#;[") && !strings.ContainsAny(name, "=:\r\n")
}

// WritableValue reports whether Encode writes a value that configparser
// reads back unchanged. Encode doubles '%' and writes each line after the
// first on a line of its own after a tab; configparser strips every line,
// drops lines that start with '#' or ';' and trailing blank lines, and
// takes a carriage return for a line break.
func WritableValue(v string) bool {
	if !utf8.ValidString(v) || strings.IndexByte(v, '\r') >= 0 {
		return false
	}
	first := true
	for {
		line, rest, more := strings.Cut(v, "\n")
		if pyStrip(line) != line {
			return false
		}
		if !first && (line == "" && !more || line != "" && (line[0] == '#' || line[0] == ';')) {
			return false
		}
		if !more {
			return true
		}
		first, v = false, rest
	}
}
