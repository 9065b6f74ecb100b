package inifile

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"gopkg.in/ini.v1"
)

// Keeper's CLI reads keeper.ini with Python's
// configparser.ConfigParser(allow_no_value=True), from a file opened in
// text mode with the locale's encoding (UTF-8). This file is that reader,
// line for line, producing the *ini.File the rest of ksm works on: the
// sections, keys and values Keeper's CLI sees, or an error naming the line
// where configparser raises. ini.v1's own reader differs too much to be
// patched (quotes, backticks, `"""` blocks, indentation, duplicates).
// docs/keeper-ini.md states the contract; the differential tests in
// pyparity_test.go check it against python3 itself.
//
// What configparser does, and so this reader:
//   - lines end at "\n", "\r\n" or "\r" (universal newlines); a BOM is an
//     ordinary character (so "\ufeff[_config]" is not a section header);
//   - a line whose stripped text starts with '#' or ';' is a comment,
//     wherever it is; there are no inline comments;
//   - a blank line adds an empty line to the value being read (trailing
//     ones are dropped when the value ends);
//   - a line indented deeper than the line of the last key continues that
//     key's value, whatever it holds ("[section]" and "key = value"
//     included): the value gets a "\n" and the stripped line;
//   - else "[" name "]" (anything after the ']' ignored) is a section,
//     except that ksm refuses a header with two ']' (Python 3.10 changed
//     which one ends the name); "DEFAULT" is the defaults section, whose keys every other
//     section has unless it sets them itself;
//   - else the line is a key: the name is what comes before the first '='
//     or ':', stripped and lower-cased, the value what follows, stripped;
//     with neither it is a bare key (no value);
//   - a duplicate section or key (in one section) is an error at once, a
//     key with an empty name an error at the end, a key before any section
//     an error at once, a continuation of a bare key an error (Python 3.11
//     crashes there, 3.13 raises MultilineContinuationError);
//   - BasicInterpolation: "%%" reads as "%"; "%(name)s" expands another
//     key (ksm refuses such a value, see interpolate); any other '%' is an
//     error.

// errKind says which configparser exception an error stands for; the
// differential tests compare it with what python3 raised.
type errKind int

const (
	errUTF8           errKind = iota + 1 // UnicodeDecodeError
	errNoSection                         // MissingSectionHeaderError
	errDupSection                        // DuplicateSectionError
	errDupKey                            // DuplicateOptionError
	errEmptyKey                          // ParsingError
	errBareContinued                     // AttributeError (3.11), MultilineContinuationError (3.13)
	errPercent                           // InterpolationSyntaxError
	errReference                         // a %(name)s reference, which ksm refuses
	errHeaderVersions                    // a header Pythons before and after 3.10 read differently
)

// lineError is a keeper.ini that configparser does not read (or that
// would have ksm expand a reference). Its message names the line and,
// never the line's text: a line may hold key material.
type lineError struct {
	kind errKind
	line int
	msg  string
}

func (e *lineError) Error() string {
	return fmt.Sprintf("%s: line %d %s", ErrMalformed, e.line, e.msg)
}

func (e *lineError) Unwrap() error { return ErrMalformed }

// rawKey is one key as configparser holds it before interpolation.
type rawKey struct {
	name    string
	line    int
	bare    bool
	first   string   // the value's first line
	more    []string // its continuation lines, "" for a blank one
	comment string   // full-line comments before the key
}

// value joins a key's lines as configparser does at the end of the file.
func (k *rawKey) value() string {
	if len(k.more) == 0 {
		return k.first
	}
	return pyRStrip(k.first + "\n" + strings.Join(k.more, "\n"))
}

type rawSection struct {
	name    string
	line    int
	comment string
	keys    []rawKey
}

func (s *rawSection) find(name string) int {
	for i := range s.keys {
		if s.keys[i].name == name {
			return i
		}
	}
	return -1
}

// rawFile is a keeper.ini as configparser reads it: its sections in file
// order and the DEFAULT section's keys.
type rawFile struct {
	sections []*rawSection
	defaults *rawSection
	trailing string // comments after the last key
}

// readRaw is configparser's _read over data.
func readRaw(data string) (*rawFile, error) {
	if !utf8.ValidString(data) {
		return nil, &lineError{errUTF8, invalidUTF8Line(data), "is not valid UTF-8; save keeper.ini as UTF-8"}
	}
	rf := &rawFile{defaults: &rawSection{name: ini.DefaultSection}}
	var (
		cur         *rawSection // nil before the first header
		key         = -1        // index in cur.keys of the key being read, -1 for none
		indentLevel int
		deferred    error
		comments    []string
		seen        = map[string]bool{}
	)
	takeComments := func() string {
		c := strings.Join(comments, "\n")
		comments = comments[:0]
		return c
	}
	lineno := 0
	for rest := data; rest != ""; {
		var line string
		line, rest = nextLine(rest)
		lineno++
		stripped := pyStrip(line)
		if stripped == "" {
			if cur != nil && key >= 0 && cur.keys[key].name != "" && !cur.keys[key].bare {
				cur.keys[key].more = append(cur.keys[key].more, "")
			}
			continue
		}
		if stripped[0] == '#' || stripped[0] == ';' {
			comments = append(comments, stripped)
			continue
		}
		indent := pyIndent(line)
		if cur != nil && key >= 0 && cur.keys[key].name != "" && indent > indentLevel {
			if cur.keys[key].bare {
				return nil, &lineError{errBareContinued, lineno, "is indented under a key that has no value, so configparser cannot read it; give that key a value with '=' or remove the indentation"}
			}
			cur.keys[key].more = append(cur.keys[key].more, stripped)
			continue
		}
		indentLevel = indent
		if ambiguousHeader(stripped) {
			return nil, &lineError{errHeaderVersions, lineno, "is a section header with more than one ']', which Python before 3.10 and Python 3.10 and later read as different sections; rename the section"}
		}
		if name, ok := sectionHeader(stripped); ok {
			switch {
			case seen[name]:
				return nil, &lineError{errDupSection, lineno, fmt.Sprintf("repeats the section %s; keep one of the two", sectionLabel(name))}
			case name == ini.DefaultSection:
				cur = rf.defaults
				cur.line = lineno
			default:
				seen[name] = true
				cur = &rawSection{name: name, line: lineno}
				rf.sections = append(rf.sections, cur)
			}
			if c := takeComments(); c != "" {
				cur.comment = joinComment(cur.comment, c)
			}
			key = -1
			continue
		}
		if cur == nil {
			return nil, &lineError{errNoSection, lineno, "comes before the first [section] header; every key belongs in a section"}
		}
		k := rawKey{line: lineno}
		if d := strings.IndexAny(stripped, "=:"); d >= 0 {
			k.name = pyLower(pyRStrip(stripped[:d]))
			k.first = pyStrip(stripped[d+1:])
		} else {
			k.name = pyLower(stripped)
			k.bare = true
		}
		if k.name == "" && deferred == nil {
			deferred = &lineError{errEmptyKey, lineno, "has no key name before its '=' or ':'"}
		}
		if cur.find(k.name) >= 0 {
			return nil, &lineError{errDupKey, lineno, fmt.Sprintf("repeats a key of section %s; keep one of the two", sectionLabel(cur.name))}
		}
		k.comment = takeComments()
		cur.keys = append(cur.keys, k)
		key = len(cur.keys) - 1
	}
	if deferred != nil {
		return nil, deferred
	}
	rf.trailing = takeComments()
	return rf, nil
}

// nextLine splits off the first line of s (universal newlines).
func nextLine(s string) (line, rest string) {
	i := strings.IndexAny(s, "\r\n")
	if i < 0 {
		return s, ""
	}
	if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
		return s[:i], s[i+2:]
	}
	return s[:i], s[i+1:]
}

// sectionHeader is configparser's SECTCRE, `\[(?P<header>.+)\]`, matched
// at the start of a stripped line: the name runs to the last ']'.
func sectionHeader(stripped string) (string, bool) {
	if stripped[0] != '[' {
		return "", false
	}
	end := strings.LastIndexByte(stripped, ']')
	if end < 2 {
		return "", false
	}
	return stripped[1:end], true
}

// ambiguousHeader reports a line that configparser's SECTCRE of Python
// 3.10 and later (`\[(.+)\]`, the name up to the last ']') and that of
// earlier versions (`\[([^]]+)\]`, up to the first) read differently:
// the reading would depend on the Python that runs Keeper's CLI.
func ambiguousHeader(stripped string) bool {
	if stripped[0] != '[' {
		return false
	}
	first, last := strings.IndexByte(stripped, ']'), strings.LastIndexByte(stripped, ']')
	return last >= 2 && first != last
}

func invalidUTF8Line(data string) int {
	line := 1
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRuneInString(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return line
		}
		if data[i] == '\n' || data[i] == '\r' && (i+1 == len(data) || data[i+1] != '\n') {
			line++
		}
		i += n
	}
	return line
}

func joinComment(a, b string) string {
	if a == "" {
		return b
	}
	return a + "\n" + b
}

// sectionLabel names a section in an error only when its name is a plain
// profile name: a mangled line can put key material in brackets.
func sectionLabel(name string) string {
	if ValidName(name) == nil || name == ConfigSection || name == ini.DefaultSection {
		return "[" + name + "]"
	}
	return "with an unusual name"
}

// keyLabel is sectionLabel for a key name.
func keyLabel(name string) string {
	if name != "" && len(name) <= 64 && strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == "" {
		return name
	}
	return "a key"
}

// interpolate is BasicInterpolation's reading of a raw value, except that
// a reference to another key is refused: expanding it would show one key's
// value (a private key, say) as another's (a hostname) wherever ksm prints
// or sends that one.
func interpolate(raw string) (string, errKind) {
	if strings.IndexByte(raw, '%') < 0 {
		return raw, 0
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(raw, '%')
		if i < 0 {
			b.WriteString(raw)
			return b.String(), 0
		}
		b.WriteString(raw[:i])
		raw = raw[i:]
		switch {
		case strings.HasPrefix(raw, "%%"):
			b.WriteByte('%')
			raw = raw[2:]
		case isReference(raw):
			return "", errReference
		default:
			return "", errPercent
		}
	}
}

// isReference reports whether s starts with configparser's
// `%\(([^)]+)\)s`.
func isReference(s string) bool {
	if !strings.HasPrefix(s, "%(") {
		return false
	}
	end := strings.IndexByte(s, ')')
	return end > 2 && end+1 < len(s) && s[end+1] == 's'
}

// interpolateKey is interpolate with the error Parse reports.
func interpolateKey(section string, k *rawKey) (string, error) {
	v, kind := interpolate(k.value())
	switch kind {
	case errReference:
		return "", &lineError{errReference, k.line, fmt.Sprintf("(%s in %s) refers to another key with %%(...)s, which ksm never expands: write the value out in full (a literal %% is written %%%%)", keyLabel(k.name), sectionLabel(section))}
	case errPercent:
		return "", &lineError{errPercent, k.line, fmt.Sprintf("(%s in %s) has a '%%' that is neither %%%% nor %%(name)s, which configparser refuses: write a literal %% as %%%%", keyLabel(k.name), sectionLabel(section))}
	}
	return v, nil
}

// parse reads keeper.ini content as configparser does into an *ini.File:
// each section with its own keys, then the DEFAULT keys it does not set
// (configparser's order); the DEFAULT keys also stay in ini.v1's default
// section, so that a write can refuse them (see CheckWritable).
func parse(data string) (*ini.File, error) {
	rf, err := readRaw(data)
	if err != nil {
		return nil, err
	}
	f := ini.Empty(loadOptions)
	f.BlockMode = false // nothing else sees f yet
	values := make([]string, len(rf.defaults.keys))
	for i := range rf.defaults.keys {
		if values[i], err = interpolateKey(ini.DefaultSection, &rf.defaults.keys[i]); err != nil {
			return nil, err
		}
	}
	if err := addKeys(f.Section(ini.DefaultSection), rf.defaults.keys, values, true); err != nil {
		return nil, err
	}
	f.Section(ini.DefaultSection).Comment = rf.defaults.comment
	var last *ini.Section
	for _, rs := range rf.sections {
		s, err := f.NewSection(rs.name)
		if err != nil {
			return nil, err
		}
		s.Comment = rs.comment
		vals := make([]string, len(rs.keys))
		for i := range rs.keys {
			if vals[i], err = interpolateKey(rs.name, &rs.keys[i]); err != nil {
				return nil, err
			}
		}
		if err := addKeys(s, rs.keys, vals, true); err != nil {
			return nil, err
		}
		for i := range rf.defaults.keys {
			if rs.find(rf.defaults.keys[i].name) < 0 {
				if err := addKeys(s, rf.defaults.keys[i:i+1], values[i:i+1], false); err != nil {
					return nil, err
				}
			}
		}
		last = s
	}
	if last != nil {
		last.TrailingComment = rf.trailing
	}
	f.BlockMode = true // as ini.LoadSources leaves it
	return f, nil
}

var errKeyCase = errors.New("has a key whose lower case differs between Python and Go; rename the key")

func addKeys(s *ini.Section, keys []rawKey, values []string, withComments bool) error {
	for i := range keys {
		k := &keys[i]
		var (
			key *ini.Key
			err error
		)
		if k.bare {
			key, err = s.NewBooleanKey(k.name)
		} else {
			key, err = s.NewKey(k.name, values[i])
		}
		if err != nil {
			return &lineError{errEmptyKey, k.line, "has a key that ksm cannot hold"}
		}
		if key.Name() != k.name {
			return &lineError{errEmptyKey, k.line, errKeyCase.Error()}
		}
		if withComments {
			key.Comment = k.comment
		}
	}
	return nil
}
