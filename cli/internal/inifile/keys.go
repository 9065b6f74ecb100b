package inifile

import (
	"bytes"
	"strings"

	"gopkg.in/ini.v1"
)

// ini.v1 writes a bare key (configparser's "no value", e.g. `editor`) as
// its name alone but offers no way to ask whether a key is bare or to
// give a bare key a value. These helpers do both without reordering keys,
// since Keeper's CLI and users expect [_config] to keep its layout.

// IsBare reports whether key in section was written without a value.
func IsBare(f *ini.File, section, key string) bool {
	if !f.HasSection(section) || !f.Section(section).HasKey(key) {
		return false
	}
	return bareKeys(f, section)[key]
}

// SetKey sets key in section to value (or makes it bare), keeping the
// key's position.
func SetKey(f *ini.File, section, key, value string, bare bool) {
	s := f.Section(section)
	if !s.HasKey(key) {
		if bare {
			_, _ = s.NewBooleanKey(key)
		} else {
			s.Key(key).SetValue(value)
		}
		return
	}
	wasBare := bareKeys(f, section)
	if !wasBare[key] && !bare {
		s.Key(key).SetValue(value)
		return
	}
	// Rebuild the section in order; only the one key changes.
	type kv struct {
		name, value string
		bare        bool
	}
	var keys []kv
	for _, k := range s.Keys() {
		e := kv{k.Name(), k.Value(), wasBare[k.Name()]}
		if e.name == key {
			e.value, e.bare = value, bare
		}
		keys = append(keys, e)
	}
	for _, k := range keys {
		s.DeleteKey(k.name)
	}
	for _, k := range keys {
		if k.bare {
			_, _ = s.NewBooleanKey(k.name)
		} else {
			s.Key(k.name).SetValue(k.value)
		}
	}
}

// bareKeys finds the bare keys of a section: from ini.v1's flag (see
// boolField), else in ini.v1's own output, where every other key is
// written as "name = value".
func bareKeys(f *ini.File, section string) map[string]bool {
	bare := map[string]bool{}
	if boolField >= 0 {
		for _, k := range f.Section(section).Keys() {
			if isBoolean(k) {
				bare[k.Name()] = true
			}
		}
		return bare
	}
	var b bytes.Buffer
	_, _ = f.WriteTo(&b)
	in := false
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(line, "[") {
			in = line == "["+section+"]"
			continue
		}
		if in && line != "" && !strings.Contains(line, " = ") && !strings.HasPrefix(line, ";") && !strings.HasPrefix(line, "#") {
			bare[strings.Trim(line, "`")] = true
		}
	}
	return bare
}
