package inifile

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
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
	errTooLarge                          // more sections or keys than ksm reads (Python has no limit)
)

// MaxSections and MaxKeys bound what a keeper.ini may hold, so that any
// file under atomicfile.MaxSize is read or refused in linear time and
// bounded memory (issue 17 item 6): a real keeper.ini has a handful of
// profiles of a dozen keys. TestParseIsBounded measures the allocations.
const (
	MaxSections = 10000
	MaxKeys     = 200000
)

// nameSet is the key names read in one section: a slice while small (most
// sections), a map once large, so that a section of a million keys costs
// no quadratic duplicate check.
type nameSet struct {
	list []string
	set  map[string]struct{}
}

func (n *nameSet) has(name string) bool {
	if n.set != nil {
		_, ok := n.set[name]
		return ok
	}
	return slices.Contains(n.list, name)
}

func (n *nameSet) add(name string) {
	if n.set != nil {
		n.set[name] = struct{}{}
		return
	}
	n.list = append(n.list, name)
	if len(n.list) > 32 {
		n.set = make(map[string]struct{}, 2*len(n.list))
		for _, x := range n.list {
			n.set[x] = struct{}{}
		}
	}
}

func (n *nameSet) reset() { n.list, n.set = n.list[:0], nil }

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

// reader is configparser's _read, building the *ini.File as it goes: a
// key is added when its value ends (at the next key, header or the end).
type reader struct {
	f        *ini.File
	cur      *ini.Section // nil before the first header
	sections map[string]bool
	// names points to the key names ("" included) read in cur: those of
	// DEFAULT, which may be opened again, or those of the current section.
	names                      *nameSet
	defaultNames, sectionNames nameSet
	// keys and sectionCount bound what a file can make ksm hold (see
	// MaxSections, MaxKeys).
	keys, sectionCount int
	key                pendingKey // the key being read; key.open is false for none
	indentLevel        int
	comments           []string
	// interpolation is the first value that does not interpolate:
	// configparser raises it only when the value is read, after the file.
	interpolation error
}

// pendingKey is a key whose value may still continue.
type pendingKey struct {
	open  bool
	name  string
	line  int
	bare  bool
	first string // the value's first line
	// more is its continuation lines, each after a "\n" (a blank one adds
	// the "\n" alone): one growing buffer, not a slice of lines, so that
	// millions of lines cost their bytes and no more.
	more    []byte
	comment string
}

// value joins a key's lines as configparser does at the end of the file.
func (k *pendingKey) value() string {
	if len(k.more) == 0 {
		return k.first
	}
	return pyRStrip(k.first + string(k.more))
}

// parse reads keeper.ini content as configparser does into an *ini.File:
// each section with its own keys, then the DEFAULT keys it does not set
// (configparser's order); the DEFAULT keys also stay in ini.v1's default
// section, so that a write can refuse them (see CheckWritable).
func parse(data string) (*ini.File, error) { return parseUntil(data, time.Time{}) }

// ErrTimeout is returned when reading keeper.ini outlasts its deadline
// (--timeout): parsing is linear and bounded, but a slow machine and a
// large file should still end when the user said.
var ErrTimeout = errors.New("reading it took longer than --timeout")

// parseUntil is parse that gives up at deadline (zero: none), checked every
// few thousand lines.
func parseUntil(data string, deadline time.Time) (*ini.File, error) {
	if !utf8.ValidString(data) {
		return nil, &lineError{errUTF8, invalidUTF8Line(data), "is not valid UTF-8; save keeper.ini as UTF-8"}
	}
	r := &reader{f: ini.Empty(loadOptions), sections: map[string]bool{}}
	r.f.BlockMode = false // nothing else sees f yet
	var deferred error
	lineno := 0
	for rest := data; rest != ""; {
		var line string
		line, rest = nextLine(rest)
		lineno++
		if lineno&4095 == 0 && !deadline.IsZero() && time.Now().After(deadline) {
			return nil, ErrTimeout
		}
		if err := r.line(line, lineno); err != nil {
			if le := err.(*lineError); le.kind != errEmptyKey {
				return nil, err
			}
			if deferred == nil {
				deferred = err
			}
		}
	}
	if err := r.endKey(); err != nil {
		return nil, err
	}
	if deferred != nil {
		return nil, deferred
	}
	if r.interpolation != nil {
		return nil, r.interpolation
	}
	if r.cur != nil && r.cur.Name() != ini.DefaultSection {
		r.cur.TrailingComment = r.takeComments()
	}
	if err := r.inheritDefaults(); err != nil {
		return nil, err
	}
	r.f.BlockMode = true // as ini.LoadSources leaves it
	return r.f, nil
}

// line reads one line; an errEmptyKey error is configparser's deferred
// ParsingError, any other stops the reading.
func (r *reader) line(line string, lineno int) error {
	stripped := pyStrip(line)
	if stripped == "" {
		if r.key.open && r.key.name != "" && !r.key.bare {
			r.key.more = append(r.key.more, '\n')
		}
		return nil
	}
	if stripped[0] == '#' || stripped[0] == ';' {
		r.comments = append(r.comments, stripped)
		return nil
	}
	indent := pyIndent(line)
	if r.key.open && r.key.name != "" && indent > r.indentLevel {
		if r.key.bare {
			return &lineError{errBareContinued, lineno, "is indented under a key that has no value, so configparser cannot read it; give that key a value with '=' or remove the indentation"}
		}
		r.key.more = append(append(r.key.more, '\n'), stripped...)
		return nil
	}
	r.indentLevel = indent
	if err := r.endKey(); err != nil {
		return err
	}
	if ambiguousHeader(stripped) {
		return &lineError{errHeaderVersions, lineno, "is a section header with more than one ']', which Python before 3.10 and Python 3.10 and later read as different sections; rename the section"}
	}
	if name, ok := sectionHeader(stripped); ok {
		if r.sections[name] {
			return &lineError{errDupSection, lineno, fmt.Sprintf("repeats the section %s; keep one of the two", sectionLabel(name))}
		}
		if name == ini.DefaultSection {
			r.cur, r.names = r.f.Section(ini.DefaultSection), &r.defaultNames
		} else {
			if r.sectionCount++; r.sectionCount > MaxSections {
				return &lineError{errTooLarge, lineno, fmt.Sprintf("is section number %d; ksm reads at most %d (a keeper.ini holds a handful of profiles)", r.sectionCount, MaxSections)}
			}
			r.sections[name] = true
			s, err := r.f.NewSection(name)
			if err != nil {
				return &lineError{errDupSection, lineno, "has a section name ksm cannot hold"}
			}
			r.sectionNames.reset()
			r.cur, r.names = s, &r.sectionNames
		}
		if c := r.takeComments(); c != "" {
			r.cur.Comment = joinComment(r.cur.Comment, c)
		}
		return nil
	}
	if r.cur == nil {
		return &lineError{errNoSection, lineno, "comes before the first [section] header; every key belongs in a section"}
	}
	k := pendingKey{open: true, line: lineno, more: r.key.more[:0]}
	if d := delimiter(stripped); d >= 0 {
		k.name = pyLower(pyRStrip(stripped[:d]))
		k.first = pyStrip(stripped[d+1:])
	} else {
		k.name = pyLower(stripped)
		k.bare = true
	}
	if r.names.has(k.name) {
		return &lineError{errDupKey, lineno, fmt.Sprintf("repeats a key of section %s; keep one of the two", sectionLabel(r.cur.Name()))}
	}
	r.names.add(k.name)
	if r.keys++; r.keys > MaxKeys {
		return &lineError{errTooLarge, lineno, fmt.Sprintf("is key number %d; ksm reads at most %d", r.keys, MaxKeys)}
	}
	k.comment = r.takeComments()
	r.key = k
	if k.name == "" {
		return &lineError{errEmptyKey, lineno, "has no key name before its '=' or ':'"}
	}
	return nil
}

// endKey adds the key being read to the current section, its value
// interpolated.
func (r *reader) endKey() error {
	k := &r.key
	if !k.open || k.name == "" {
		k.open = false
		return nil
	}
	k.open = false
	var (
		key *ini.Key
		err error
	)
	if k.bare {
		key, err = newBareKey(r.cur, k.name)
	} else {
		v, ierr := interpolateKey(r.cur.Name(), k)
		if ierr != nil {
			if r.interpolation == nil {
				r.interpolation = ierr
			}
			return nil
		}
		key, err = r.cur.NewKey(k.name, v)
	}
	if err != nil || key.Name() != k.name {
		return &lineError{errEmptyKey, k.line, "has a key whose lower case differs between Python and Go; rename the key"}
	}
	key.Comment = k.comment
	return nil
}

func (r *reader) takeComments() string {
	c := strings.Join(r.comments, "\n")
	r.comments = r.comments[:0]
	return c
}

// inheritDefaults gives every section the DEFAULT keys it does not set,
// after its own, as configparser lists them.
func (r *reader) inheritDefaults() error {
	defaults := r.f.Section(ini.DefaultSection)
	keys := defaults.Keys()
	if len(keys) == 0 {
		return nil
	}
	if r.keys+len(keys)*r.sectionCount > MaxKeys {
		return &lineError{errTooLarge, 1, fmt.Sprintf("gives its %d DEFAULT keys to %d sections, more than the %d keys ksm reads", len(keys), r.sectionCount, MaxKeys)}
	}
	for _, s := range r.f.Sections() {
		if s == defaults {
			continue
		}
		own := s.KeyStrings()
		for _, k := range keys {
			if slices.Contains(own, k.Name()) {
				continue
			}
			var err error
			if isBare(r.f, defaults, k) {
				_, err = newBareKey(s, k.Name())
			} else {
				_, err = s.NewKey(k.Name(), k.Value())
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// nextLine splits off the first line of s (universal newlines).
func nextLine(s string) (line, rest string) {
	i := strings.IndexByte(s, '\n')
	if i < 0 {
		i = len(s)
	}
	if j := strings.IndexByte(s[:i], '\r'); j >= 0 {
		i = j
	}
	if i == len(s) {
		return s, ""
	}
	if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
		return s[:i], s[i+2:]
	}
	return s[:i], s[i+1:]
}

// delimiter is the index of the first '=' or ':' in s, or -1.
func delimiter(s string) int {
	eq, colon := strings.IndexByte(s, '='), strings.IndexByte(s, ':')
	if eq < 0 || colon >= 0 && colon < eq {
		return colon
	}
	return eq
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
	if name != "" && len(name) <= 32 && strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == "" {
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
func interpolateKey(section string, k *pendingKey) (string, error) {
	v, kind := interpolate(k.value())
	switch kind {
	case errReference:
		return "", &lineError{errReference, k.line, fmt.Sprintf("(%s in %s) refers to another key with %%(...)s, which ksm never expands: write the value out in full (a literal %% is written %%%%)", keyLabel(k.name), sectionLabel(section))}
	case errPercent:
		return "", &lineError{errPercent, k.line, fmt.Sprintf("(%s in %s) has a '%%' that is neither %%%% nor %%(name)s, which configparser refuses: write a literal %% as %%%%", keyLabel(k.name), sectionLabel(section))}
	}
	return v, nil
}
