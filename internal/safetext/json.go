package safetext

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// JSON makes JSON that encoding/json wrote safe to print, and keeps it the
// same JSON: every character Escape would escape and encoding/json leaves
// raw (C1 controls such as U+009B, DEL, bidi and other format characters)
// becomes a \uXXXX escape, which decodes to the same value. Such characters
// occur only inside strings, where encoding/json has already escaped C0
// controls; raw newlines and tabs are layout and are kept. Invalid UTF-8
// (which encoding/json never writes) becomes \ufffd.
func JSON(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\ufffd`)
		case r < 0x20:
			b.WriteRune(r)
		case unsafe(r) && r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
		case unsafe(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}
