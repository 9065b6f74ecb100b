package inifile

import (
	"bytes"
	"errors"
	"strings"

	"gopkg.in/ini.v1"
)

// ConfigSection is keeper.ini's settings section; it is not a profile.
const ConfigSection = "_config"

var loadOptions = ini.LoadOptions{
	AllowBooleanKeys: true, // configparser's allow_no_value: bare keys
	InsensitiveKeys:  true, // configparser lower-cases keys
	// ini.v1 reads section "a.b" as a child of "a" whose keys it inherits
	// (Key, HasKey); configparser has no such thing. No section name holds
	// a line break, so none is anyone's child.
	ChildSectionDelimiter: "\n",
}

// ErrMalformed is returned for a file that is not a valid keeper.ini.
var ErrMalformed = errors.New("not a valid INI file")

// Parse reads keeper.ini content as Keeper's CLI does (see parse.go).
// Errors name the line, never its text: it may hold a key.
func Parse(data []byte) (*ini.File, error) { return parse(string(data)) }

// New returns an empty keeper.ini with Keeper's default [_config] block.
func New() *ini.File {
	f := ini.Empty(loadOptions)
	writeDefaultConfig(f.Section(ConfigSection), "")
	return f
}

// writeDefaultConfig fills a [_config] section as Keeper's CLI writes it.
func writeDefaultConfig(s *ini.Section, active string) {
	if active == "" {
		newBareKey(s, "active_profile")
	} else {
		s.Key("active_profile").SetValue(active)
	}
	s.Key("color").SetValue("True")
	s.Key("cache").SetValue("False")
	newBareKey(s, "record_type_dir")
	newBareKey(s, "editor")
	s.Key("editor_use_blocking").SetValue("False")
	newBareKey(s, "editor_process_name")
}

// EnsureConfig returns [_config], adding Keeper's default block if the
// file has none.
func EnsureConfig(f *ini.File) *ini.Section {
	if f.HasSection(ConfigSection) {
		return f.Section(ConfigSection)
	}
	s := f.Section(ConfigSection)
	writeDefaultConfig(s, "")
	return s
}

// NewWithActive is New with active_profile set.
func NewWithActive(active string) *ini.File {
	f := ini.Empty(loadOptions)
	writeDefaultConfig(f.Section(ConfigSection), active)
	return f
}

// Encode writes f as configparser writes it ("key = value", bare keys
// alone, a multi-line value's lines after a tab, a blank line after every
// section), with [_config] first and every '%' doubled, and the comments
// Parse kept before their section or key. The DEFAULT section is left
// out: Parse gave its keys to every section already. What Encode writes
// reads back the same only if CheckWritable(f) is nil.
func Encode(f *ini.File) []byte {
	secs := f.Sections()
	size := 0
	ordered := make([]*ini.Section, 0, len(secs))
	for _, s := range secs {
		switch s.Name() {
		case ini.DefaultSection:
			continue
		case ConfigSection:
			ordered = append([]*ini.Section{s}, ordered...)
		default:
			ordered = append(ordered, s)
		}
		size += len(s.Name()) + 4 + len(s.Comment)
		for _, k := range s.Keys() {
			size += len(k.Name()) + len(k.Value()) + len(k.Comment) + 4
		}
	}
	var b bytes.Buffer
	b.Grow(size)
	for _, s := range ordered {
		writeComment(&b, s.Comment)
		b.WriteString("[" + s.Name() + "]\n")
		for _, k := range s.Keys() {
			writeComment(&b, k.Comment)
			b.WriteString(k.Name())
			if !isBare(f, s, k) {
				b.WriteString(" = ")
				writeValue(&b, k.Value())
			}
			b.WriteByte('\n')
		}
		writeComment(&b, s.TrailingComment)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// writeValue writes v as configparser reads it back: '%' doubled
// (BasicInterpolation) and every line after the first indented by a tab.
func writeValue(b *bytes.Buffer, v string) {
	for {
		i := strings.IndexAny(v, "%\n")
		if i < 0 {
			b.WriteString(v)
			return
		}
		b.WriteString(v[:i])
		if v[i] == '%' {
			b.WriteString("%%")
		} else {
			b.WriteString("\n\t")
		}
		v = v[i+1:]
	}
}

// writeComment writes full-line comments, each line made a comment even
// if a caller set one without its '#'.
func writeComment(b *bytes.Buffer, c string) {
	if c == "" {
		return
	}
	for _, line := range strings.FieldsFunc(c, func(r rune) bool { return r == '\n' || r == '\r' }) {
		line = pyStrip(line)
		if line == "" {
			continue
		}
		if line[0] != '#' && line[0] != ';' {
			b.WriteString("# ")
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
}

// isBare reports whether k is a bare key (configparser's "no value").
func isBare(_ *ini.File, _ *ini.Section, k *ini.Key) bool { return keyIsBare(k) }
