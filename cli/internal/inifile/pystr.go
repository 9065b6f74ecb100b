package inifile

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// configparser works on Python str: str.strip() and the regexp \s take
// Python's whitespace, and keys go through str.lower(). Go's versions of
// these differ at the edges (Go's unicode.IsSpace leaves out U+001C-U+001F;
// strings.ToLower has neither U+0130's two-rune lower case nor the Greek
// final sigma), and each difference would be a key or value ksm reads
// otherwise than Keeper's CLI. TestPythonStringFunctions ties these to the
// python3 on PATH, code point by code point.

// pyIsSpace is Python's str.isspace for one code point.
func pyIsSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiSpace[r]
	}
	return unicode.IsSpace(r)
}

// asciiSpace is pyIsSpace for bytes below utf8.RuneSelf.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true,
	0x1c: true, 0x1d: true, 0x1e: true, 0x1f: true, ' ': true}

// pyStrip is Python's str.strip().
func pyStrip(s string) string { return pyRStrip(pyLStrip(s)) }

func pyLStrip(s string) string {
	for i := 0; i < len(s); i++ { // keeper.ini is ASCII but for the odd value
		if c := s[i]; c >= utf8.RuneSelf {
			return strings.TrimLeftFunc(s[i:], pyIsSpace)
		} else if !asciiSpace[c] {
			return s[i:]
		}
	}
	return ""
}

func pyRStrip(s string) string {
	for i := len(s) - 1; i >= 0; i-- {
		if c := s[i]; c >= utf8.RuneSelf {
			return strings.TrimRightFunc(s[:i+1], pyIsSpace)
		} else if !asciiSpace[c] {
			return s[:i+1]
		}
	}
	return ""
}

// pyIndent is the number of code points before the first non-space one,
// configparser's measure of a line's indentation (0 for a blank line).
func pyIndent(line string) int {
	n := 0
	for _, r := range line {
		if !pyIsSpace(r) {
			return n
		}
		n++
	}
	return 0
}

// pyLower is Python's str.lower().
func pyLower(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s) // returns s itself when nothing changes
	}
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		switch r {
		case 'İ': // SpecialCasing: "i" and a combining dot above
			b.WriteString("i\u0307")
		case 'Σ':
			if finalSigma(s, i) {
				b.WriteRune('ς')
			} else {
				b.WriteRune('σ')
			}
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// finalSigma reports Unicode's Final_Sigma condition for the capital
// sigma at byte i of s, as Python tests it: a cased letter before it and
// none after it, case-ignorable code points skipped on both sides.
func finalSigma(s string, i int) bool {
	before := s[:i]
	for len(before) > 0 {
		r, n := utf8.DecodeLastRuneInString(before)
		before = before[:len(before)-n]
		if !caseIgnorable(r) {
			if !cased(r) {
				return false
			}
			after := s[i+len("Σ"):]
			for _, r := range after {
				if !caseIgnorable(r) {
					return !cased(r)
				}
			}
			return true
		}
	}
	return false
}

// cased is Unicode's Cased property.
func cased(r rune) bool {
	return unicode.IsLower(r) || unicode.IsUpper(r) || unicode.IsTitle(r) ||
		unicode.Is(unicode.Other_Lowercase, r) || unicode.Is(unicode.Other_Uppercase, r)
}

// caseIgnorable is Unicode's Case_Ignorable property: marks, format
// characters, modifiers and the word-break apostrophes and dots.
func caseIgnorable(r rune) bool {
	switch r {
	case '\'', '.', ':', '^', '`', 0xb7, 0x387, 0x55f, 0x5f4, 0x2018, 0x2019, 0x2024, 0x2027,
		0xfe13, 0xfe52, 0xfe55, 0xff07, 0xff0e, 0xff1a:
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}
