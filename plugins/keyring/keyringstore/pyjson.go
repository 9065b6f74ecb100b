package keyringstore

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
)

// Keeper's CLI writes its keyring items with Python's json.dumps, and keeps
// a SHA-256 of the exact text: the bytes must be Python's, not Go's
// encoding/json's (which escapes <, > and & and writes UTF-8).

// pyString quotes s as json.dumps does with ensure_ascii (its default):
// the short escapes, \u00XX for other control characters and DEL, \uXXXX (a
// surrogate pair above U+FFFF) for everything outside ASCII.
func pyString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			switch {
			case r < 0x20 || r == 0x7f: // Python escapes all but space to ~
				fmt.Fprintf(&b, `\u%04x`, r)
			case r < 0x80:
				b.WriteRune(r)
			case r > 0xffff:
				hi, lo := utf16.EncodeRune(r)
				fmt.Fprintf(&b, `\u%04x\u%04x`, hi, lo)
			default:
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// pair is one key and its already-encoded JSON value.
type pair struct {
	key, value string
}

// pyObject is json.dumps of a dict with the default separators (", " and
// ": "), keys in the order given, as Python keeps insertion order.
func pyObject(pairs []pair) string {
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = pyString(p.key) + ": " + p.value
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// pyList is json.dumps of a list of strings.
func pyList(items []string) string {
	parts := make([]string, len(items))
	for i, s := range items {
		parts[i] = pyString(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// pyDataItem is json.dumps({"data": inner}, indent=4, sort_keys=True): the
// text Keeper's CLI stores in each of its keyring items.
func pyDataItem(inner string) string {
	return "{\n    \"data\": " + pyString(inner) + "\n}"
}

// pyReencode rewrites any JSON text as json.dumps would (default
// separators, ensure_ascii), keeping the order of object keys, so that
// what Keeper's CLI wrote and ksm does not know survives a rewrite.
func pyReencode(text string) (string, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var b strings.Builder
	type level struct {
		object bool
		n      int // values (or keys) written at this level
	}
	var stack []level
	// before writes what precedes a value or key at the current level.
	before := func() {
		if len(stack) == 0 {
			return
		}
		top := &stack[len(stack)-1]
		switch {
		case top.object && top.n%2 == 1:
			b.WriteString(": ")
		case top.n > 0:
			b.WriteString(", ")
		}
		top.n++
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				before()
				b.WriteRune(rune(t))
				stack = append(stack, level{object: t == '{'})
			default:
				stack = stack[:len(stack)-1]
				b.WriteRune(rune(t))
			}
		case string:
			before()
			b.WriteString(pyString(t))
		case json.Number:
			before()
			b.WriteString(t.String())
		case bool:
			before()
			fmt.Fprint(&b, t)
		case nil:
			before()
			b.WriteString("null")
		}
	}
	return b.String(), nil
}
