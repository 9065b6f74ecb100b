package inifile

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"

	"gopkg.in/ini.v1"
)

// The reference for keeper.ini is Python's configparser, run here as one
// long-lived python3 process (testdata/oracle.py) that answers JSON lines:
// thousands of cases cost a few seconds, not a process each.

type oracle struct {
	mu  sync.Mutex
	in  io.WriteCloser
	out *bufio.Reader
	err error
}

var (
	oracleOnce sync.Once
	theOracle  *oracle
)

// pyOracle returns the shared python3 process, or fails the test naming
// what is missing.
func pyOracle(t testing.TB) *oracle {
	t.Helper()
	oracleOnce.Do(func() {
		o := &oracle{}
		theOracle = o
		py, err := exec.LookPath("python3")
		if err != nil {
			o.err = errors.New("python3 not found on PATH: the keeper.ini differential tests run Python's configparser as the reference (any python3 has it)")
			return
		}
		cmd := exec.Command(py, "testdata/oracle.py")
		if o.in, err = cmd.StdinPipe(); err != nil {
			o.err = err
			return
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			o.err = err
			return
		}
		o.out = bufio.NewReaderSize(stdout, 1<<20)
		if err := cmd.Start(); err != nil {
			o.err = fmt.Errorf("starting python3: %w", err)
		}
		// The process ends with the test binary (its stdin closes).
	})
	if theOracle.err != nil {
		t.Fatal(theOracle.err)
	}
	return theOracle
}

func (o *oracle) call(t testing.TB, req, resp any) {
	t.Helper()
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, err := o.in.Write(append(b, '\n')); err != nil {
		t.Fatalf("writing to python3: %v", err)
	}
	line, err := o.out.ReadBytes('\n')
	if err != nil {
		t.Fatalf("reading from python3: %v", err)
	}
	if err := json.Unmarshal(line, resp); err != nil {
		t.Fatalf("python3 answered %q: %v", line, err)
	}
}

// pyKey is one key as configparser gives it: its raw text and its value
// after interpolation (nil for a bare key), or the error reading it.
type pyKey struct {
	Name  string
	Raw   *string
	Value *string
	Error string // "" | "reference" | an exception class
}

func (k *pyKey) UnmarshalJSON(b []byte) error {
	var a []json.RawMessage
	if err := json.Unmarshal(b, &a); err != nil || len(a) != 4 {
		return fmt.Errorf("bad key %s", b)
	}
	var e *string
	for i, dst := range []any{&k.Name, &k.Raw, &k.Value, &e} {
		if err := json.Unmarshal(a[i], dst); err != nil {
			return err
		}
	}
	if e != nil {
		k.Error = *e
	}
	return nil
}

type pySection struct {
	Name string
	Keys []pyKey
}

func (s *pySection) UnmarshalJSON(b []byte) error {
	var a []json.RawMessage
	if err := json.Unmarshal(b, &a); err != nil || len(a) != 2 {
		return fmt.Errorf("bad section %s", b)
	}
	if err := json.Unmarshal(a[0], &s.Name); err != nil {
		return err
	}
	return json.Unmarshal(a[1], &s.Keys)
}

type pyRead struct {
	OK       bool
	Error    string
	Line     *int
	Sections []pySection
	Defaults []pyKey
}

func (o *oracle) read(t testing.TB, data []byte) *pyRead {
	var r pyRead
	o.call(t, map[string]string{"op": "read", "data": base64.StdEncoding.EncodeToString(data)}, &r)
	return &r
}

// pyEntry is a key for the write op: a nil value is a bare key.
type pyEntry struct {
	Key   string
	Value *string
}

func (e pyEntry) MarshalJSON() ([]byte, error) { return json.Marshal([]any{e.Key, e.Value}) }

type pyWriteSection struct {
	Name string
	Keys []pyEntry
}

func (s pyWriteSection) MarshalJSON() ([]byte, error) { return json.Marshal([]any{s.Name, s.Keys}) }

// write has configparser write sections as Keeper's CLI does
// (config[name] = dict; config.write). ok is false when it refuses.
func (o *oracle) write(t testing.TB, secs []pyWriteSection) (text string, ok bool) {
	var r struct {
		OK   bool
		Text string
	}
	o.call(t, map[string]any{"op": "write", "sections": secs}, &r)
	return r.Text, r.OK
}

// pyErrorKind maps configparser's exceptions to the parser's error kinds.
var pyErrorKind = map[string]errKind{
	"UnicodeDecodeError":              errUTF8,
	"MissingSectionHeaderError":       errNoSection,
	"DuplicateSectionError":           errDupSection,
	"DuplicateOptionError":            errDupKey,
	"ParsingError":                    errEmptyKey,
	"AttributeError":                  errBareContinued, // Python 3.11 and older
	"MultilineContinuationError":      errBareContinued, // Python 3.13
	"InterpolationSyntaxError":        errPercent,
	"InterpolationMissingOptionError": errReference,
	"InterpolationDepthError":         errReference,
}

// diffWithPython returns "" when ksm reads data as configparser does, else
// what differs. The contract (docs/keeper-ini.md): the same sections, keys
// and values, or an error where configparser raises, at the same line; a
// value that configparser reads by expanding %(name)s is refused.
func diffWithPython(t testing.TB, o *oracle, data []byte) string {
	t.Helper()
	py := o.read(t, data)
	f, err := Parse(data)
	var le *lineError
	if err != nil && !errors.As(err, &le) {
		return fmt.Sprintf("ksm's error is not a line error: %v", err)
	}
	if err != nil && le.kind == errHeaderVersions {
		return "" // ksm refuses what configparser's versions read differently
	}
	if !py.OK {
		if err == nil {
			return fmt.Sprintf("configparser raises %s (line %v), ksm reads the file", py.Error, deref(py.Line))
		}
		want, known := pyErrorKind[py.Error]
		if !known {
			return fmt.Sprintf("configparser raises %s, which the tests do not know", py.Error)
		}
		if le.kind == errUTF8 {
			// Python decodes as it reads: a parse error before the bad
			// bytes can come first. Both refuse the file.
			return ""
		}
		if le.kind != want {
			return fmt.Sprintf("configparser raises %s (line %v), ksm: %v", py.Error, deref(py.Line), err)
		}
		if py.Line != nil && *py.Line != le.line {
			return fmt.Sprintf("configparser raises %s at line %d, ksm at line %d", py.Error, *py.Line, le.line)
		}
		return ""
	}
	// configparser reads the file; every value must read without expanding
	// a reference for ksm to accept it.
	var refused []string
	for _, s := range append([]pySection{{Name: ini.DefaultSection, Keys: py.Defaults}}, py.Sections...) {
		for _, k := range s.Keys {
			if k.Error != "" {
				refused = append(refused, s.Name+"."+k.Name+": "+k.Error)
			}
		}
	}
	if len(refused) > 0 {
		if err == nil {
			return fmt.Sprintf("configparser's values %v are refused or expanded, ksm reads them", refused)
		}
		if le.kind != errPercent && le.kind != errReference {
			return fmt.Sprintf("configparser reads the file but its values %v; ksm: %v", refused, err)
		}
		return ""
	}
	if err != nil {
		return fmt.Sprintf("configparser reads the file, ksm: %v", err)
	}
	if got, want := ksmModel(f), pyModel(py); got != want {
		return fmt.Sprintf("different content\nksm:          %s\nconfigparser: %s", got, want)
	}
	return ""
}

func deref(p *int) any {
	if p == nil {
		return "?"
	}
	return *p
}

// ksmModel and pyModel render sections, keys, values and bare keys alike.
func ksmModel(f *ini.File) string {
	var b strings.Builder
	for _, s := range f.Sections() {
		if s.Name() == ini.DefaultSection && len(s.Keys()) == 0 {
			continue
		}
		b.WriteString(strconv.Quote(s.Name()) + "{")
		for _, k := range s.Keys() {
			b.WriteString(strconv.Quote(k.Name()))
			if !isBare(f, s, k) {
				b.WriteString("=" + strconv.Quote(k.Value()))
			}
			b.WriteString(" ")
		}
		b.WriteString("} ")
	}
	return b.String()
}

func pyModel(py *pyRead) string {
	var b strings.Builder
	secs := py.Sections
	if len(py.Defaults) > 0 {
		secs = append([]pySection{{Name: ini.DefaultSection, Keys: py.Defaults}}, secs...)
	}
	for _, s := range secs {
		b.WriteString(strconv.Quote(s.Name) + "{")
		for _, k := range s.Keys {
			b.WriteString(strconv.Quote(k.Name))
			if k.Value != nil {
				b.WriteString("=" + strconv.Quote(*k.Value))
			}
			b.WriteString(" ")
		}
		b.WriteString("} ")
	}
	return b.String()
}

// propertyChanged are the code points whose Case_Ignorable property
// changed between Unicode 11 (Python 3.7) and 14 (Python 3.11): the final
// sigma rule after them follows the Unicode of Python 3.11 and later.
var propertyChanged = map[rune]bool{
	0x055f: true, // ARMENIAN ABBREVIATION MARK: Case_Ignorable from Unicode 13 on
	0x1734: true, // HANUNOO SIGN PAMUDPOD: Case_Ignorable until Unicode 13
	0xa9bd: true, // JAVANESE CONSONANT SIGN KERET: Case_Ignorable from Unicode 12 on
}

// TestPythonStringFunctions ties pyIsSpace and pyLower (which decide what
// a key, a value and an indentation are) to python3's str, code point by
// code point.
func TestPythonStringFunctions(t *testing.T) {
	o := pyOracle(t)
	var tables struct {
		Version        string
		Unassigned     [][2]rune
		Space          []rune
		Lower          [][2]json.RawMessage
		SigmaAfter     []rune `json:"sigma_after"`
		SigmaNotBefore []rune `json:"sigma_not_before"`
	}
	o.call(t, map[string]string{"op": "unicode"}, &tables)
	set := func(rs []rune) map[rune]bool {
		m := make(map[rune]bool, len(rs))
		for _, r := range rs {
			m[r] = true
		}
		return m
	}
	space, after, notBefore := set(tables.Space), set(tables.SigmaAfter), set(tables.SigmaNotBefore)
	lower := map[rune]string{}
	for _, l := range tables.Lower {
		var r rune
		var s string
		if json.Unmarshal(l[0], &r) != nil || json.Unmarshal(l[1], &s) != nil {
			t.Fatalf("bad lower entry %s", l)
		}
		lower[r] = s
	}
	bad := 0
	report := func(format string, args ...any) {
		if bad++; bad <= 20 {
			t.Errorf(format, args...)
		}
	}
	// Code points that this python3's Unicode version leaves unassigned may
	// be letters in Go's (and the next Python's): not compared.
	unassigned := func(r rune) bool {
		i := sort.Search(len(tables.Unassigned), func(i int) bool { return tables.Unassigned[i][1] >= r })
		return i < len(tables.Unassigned) && tables.Unassigned[i][0] <= r
	}
	olderUnicode := tables.Version < "14"
	compared := 0
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if 0xd800 <= r && r < 0xe000 || unassigned(r) {
			continue
		}
		compared++
		c := string(r)
		if pyIsSpace(r) != space[r] {
			report("U+%04X: pyIsSpace = %v, python3 %v", r, pyIsSpace(r), space[r])
		}
		want, ok := lower[r]
		if !ok {
			want = c
		}
		if got := pyLower(c); got != want {
			report("U+%04X: pyLower = %q, python3 %q", r, got, want)
		}
		if !after[r] && !notBefore[r] && !cased(r) && !caseIgnorable(r) {
			continue // no sigma is final or not because of it, on either side
		}
		if got := strings.HasSuffix(pyLower("A"+c+"Σ"), "ς"); got != after[r] && !(olderUnicode && propertyChanged[r]) {
			report("U+%04X: final sigma after it = %v, python3 %v", r, got, after[r])
		}
		if got := strings.HasPrefix(pyLower("AΣ" + c)[1:], "ς"); got == notBefore[r] {
			report("U+%04X: final sigma before it = %v, python3 %v", r, got, !notBefore[r])
		}
	}
	if bad > 0 {
		t.Errorf("%d differences from python3's str", bad)
	}
	t.Logf("%d code points compared with python3's str (Unicode %s; Go's is %s)", compared, tables.Version, unicode.Version)
}
