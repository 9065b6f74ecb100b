// Package safetext makes text from outside ksm (keeper.ini, a plugin,
// Keeper's servers) safe to print: no control character reaches the
// terminal, so such text can neither forge lines of output nor send
// escape sequences to the terminal.
package safetext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape returns s with every control character, format character (bidi
// overrides and the like) and invalid byte written as a Go escape (\n,
// \x1b, \u202e). Printable text, non-ASCII letters included, is kept.
func Escape(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80 && unsafe(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafe(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// Line is Escape bounded to max runes (0: no bound), with "…" where it was
// cut: one line of output, whatever a plugin sent.
func Line(s string, max int) string {
	s = Escape(s)
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + "…"
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			return strings.IndexFunc(s, func(r rune) bool { return r == utf8.RuneError || unsafe(r) }) >= 0
		}
	}
	return false
}

// unsafe: C0 and C1 controls, DEL, and format characters (Cf: bidi
// overrides, zero-width joiners) that change how text around them shows;
// line and paragraph separators too.
func unsafe(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}
