package inifile

import (
	"bytes"
	"reflect"
	"strings"

	"gopkg.in/ini.v1"
)

// ini.v1 reads a line at a time into fresh strings and writes through a
// general formatter; on a 1,000-profile keeper.ini that is most of a
// command's time and memory. The plain layout that Keeper's CLI and ksm
// write (sections, "key = value", bare keys, blank lines) is read and
// written here instead, through the same ini.v1 calls its parser makes,
// so the result is the same *ini.File. Anything else (comments, quotes, a
// BOM, "-" keys, a parse error) goes to ini.v1 itself. FuzzFastParse
// checks both paths agree.

// parseFast returns the file ini.v1 would parse from data, or ok=false
// when data is not in the plain layout.
func parseFast(data string) (f *ini.File, ok bool) {
	if len(data) > 0 && (data[0] == 0xEF || data[0] == 0xFE || data[0] == 0xFF) {
		return nil, false // a BOM
	}
	f = ini.Empty(loadOptions)
	f.BlockMode = false // nothing else sees f yet
	sec := f.Section(ini.DefaultSection)
	// Names and values are substrings of data, not an allocation each.
	rest := data
	for len(rest) > 0 {
		var line string
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			line, rest = rest, ""
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		switch line[0] {
		case '#', ';', '"', '`':
			return nil, false // a comment or a quoted key
		case '[':
			end := strings.LastIndexByte(line, ']')
			if end < 0 || strings.ContainsAny(line[end+1:], "#;") {
				return nil, false
			}
			s, err := f.NewSection(line[1:end])
			if err != nil {
				return nil, false
			}
			sec = s
			continue
		}
		eq := strings.IndexAny(line, "=:")
		if eq < 0 {
			if _, err := sec.NewBooleanKey(line); err != nil {
				return nil, false
			}
			continue
		}
		name, value := strings.TrimSpace(line[:eq]), strings.TrimSpace(line[eq+1:])
		if eq == 0 || name == "-" || value != "" && (value[0] == '"' || value[0] == '`') {
			return nil, false // an error, an auto-numbered key, a quoted value
		}
		if _, err := sec.NewKey(name, value); err != nil {
			return nil, false
		}
	}
	f.BlockMode = true // as ini.LoadSources leaves it
	return f, true
}

// encodeFast writes f as ini.WriteTo would with this package's settings,
// or returns false (having written nothing) when f holds anything that
// ini.v1 would quote, comment or otherwise decorate.
func encodeFast(f *ini.File, b *bytes.Buffer) bool {
	if ini.PrettyFormat || !ini.PrettyEqual || !ini.PrettySection || ini.DefaultHeader || ini.LineBreak != "\n" || boolField < 0 {
		return false
	}
	secs := f.Sections()
	size := 0
	for _, s := range secs {
		if s.Comment != "" || s.TrailingComment != "" {
			return false
		}
		size += len(s.Name()) + 4
		for _, k := range s.Keys() {
			name, v := k.Name(), k.Value()
			size += len(name) + len(v) + 4
			if k.Comment != "" || name[0] == '#' || strings.ContainsAny(name, "\"=:`") ||
				strings.ContainsAny(v, "\n`#;") || len(strings.TrimSpace(v)) != len(v) ||
				v != "" && (v[0] == '"' || v[0] == '\'') {
				return false // ini.v1 would quote it, or it is an auto-numbered key
			}
		}
	}
	b.Grow(size)
	for i, s := range secs {
		keys := s.Keys()
		if i == 0 && strings.ToUpper(s.Name()) == ini.DefaultSection {
			if len(keys) == 0 {
				continue // ini.v1 writes nothing for it, not even a blank line
			}
		} else {
			b.WriteString("[" + s.Name() + "]\n")
		}
		for _, k := range keys {
			b.WriteString(k.Name())
			if !isBoolean(k) {
				b.WriteString(" = ")
				b.WriteString(k.Value())
			}
			b.WriteByte('\n')
		}
		if i < len(secs)-1 {
			b.WriteByte('\n')
		}
	}
	return true
}

// boolField is the index of ini.Key's isBooleanType field, or -1. ini.v1
// keeps whether a key is bare (configparser's "no value") to itself;
// reading the flag beats writing the whole file out to find out, which is
// what bareKeys does without it. TestBooleanFlagFound guards the name.
var boolField = func() int {
	f, ok := reflect.TypeOf(ini.Key{}).FieldByName("isBooleanType")
	if !ok || f.Type.Kind() != reflect.Bool || len(f.Index) != 1 {
		return -1
	}
	return f.Index[0]
}()

// isBoolean reports ini.v1's flag for a bare key (boolField must be >= 0).
func isBoolean(k *ini.Key) bool {
	return reflect.ValueOf(k).Elem().Field(boolField).Bool()
}
