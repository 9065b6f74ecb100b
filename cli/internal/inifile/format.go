package inifile

import (
	"bytes"
	"errors"
	"fmt"

	"gopkg.in/ini.v1"
)

// ConfigSection is keeper.ini's settings section; it is not a profile.
const ConfigSection = "_config"

func init() {
	// Python configparser's layout: "key = value", no alignment, a blank
	// line between sections. ini.v1 only offers these as package settings.
	ini.PrettyFormat = false
	ini.PrettyEqual = true
	ini.PrettySection = true
}

var loadOptions = ini.LoadOptions{
	AllowBooleanKeys:        true, // configparser's allow_no_value: bare keys
	InsensitiveKeys:         true, // configparser lower-cases keys
	IgnoreInlineComment:     true, // configparser has no inline comments
	PreserveSurroundedQuote: true,
	// configparser has no backslash continuation: a Windows path ending in
	// "\" (record_type_dir = C:\records\) must not swallow the next line.
	IgnoreContinuation:     true,
	AllowNonUniqueSections: false,
}

// ErrMalformed is returned for a file that is not a valid keeper.ini.
var ErrMalformed = errors.New("not a valid INI file")

// Parse reads keeper.ini content. Library errors are not passed on: they
// quote the offending line, which may hold a key.
func Parse(data []byte) (*ini.File, error) { return parse(string(data)) }

// parse is Parse on a string, which the fast path slices without copying.
func parse(data string) (*ini.File, error) {
	f, ok := parseFast(data)
	if !ok {
		var err error
		if f, err = ini.LoadSources(loadOptions, []byte(data)); err != nil {
			return nil, ErrMalformed
		}
	}
	if len(f.Section(ini.DefaultSection).Keys()) > 0 {
		return nil, fmt.Errorf("%w: a key comes before the first [section]", ErrMalformed)
	}
	return f, nil
}

// New returns an empty keeper.ini with Keeper's default [_config] block.
func New() *ini.File {
	f := ini.Empty(loadOptions)
	writeDefaultConfig(f.Section(ConfigSection), "")
	return f
}

// writeDefaultConfig fills a [_config] section as Keeper's CLI writes it.
func writeDefaultConfig(s *ini.Section, active string) {
	if active == "" {
		s.NewBooleanKey("active_profile")
	} else {
		s.Key("active_profile").SetValue(active)
	}
	s.Key("color").SetValue("True")
	s.Key("cache").SetValue("False")
	s.NewBooleanKey("record_type_dir")
	s.NewBooleanKey("editor")
	s.Key("editor_use_blocking").SetValue("False")
	s.NewBooleanKey("editor_process_name")
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

// Encode writes f byte-for-byte as Python's configparser would, with
// [_config] first.
func Encode(f *ini.File) []byte {
	f = configFirst(f)
	var b bytes.Buffer
	if !encodeFast(f, &b) {
		_, _ = f.WriteTo(&b) // a bytes.Buffer does not fail
	}
	if b.Len() > 0 {
		b.WriteByte('\n') // configparser ends every section with a blank line
	}
	return b.Bytes()
}

// configFirst returns f, or a copy of it with [_config] moved to the front
// when another section precedes it (Keeper's CLI expects it first).
func configFirst(f *ini.File) *ini.File {
	names := f.SectionStrings()
	if len(names) > 0 && names[0] == ini.DefaultSection {
		names = names[1:]
	}
	if len(names) == 0 || names[0] == ConfigSection || !f.HasSection(ConfigSection) {
		return f
	}
	// Re-parsing behind an empty [_config] header keeps every key as it
	// was, bare keys included, which ini.v1 cannot copy one by one.
	var b bytes.Buffer
	_, _ = f.WriteTo(&b)
	out, err := ini.LoadSources(loadOptions, []byte("[_config]\n"), b.Bytes())
	if err != nil {
		return f // cannot happen for a file ini.v1 wrote itself
	}
	return out
}
