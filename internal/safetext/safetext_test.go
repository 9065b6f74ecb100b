package safetext

import "testing"

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"naïve 日本", "naïve 日本"},
		{"two\nlines", `two\nlines`},
		{"forged\r\nError: x", `forged\r\nError: x`},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"\x1b]52;c;ZXZpbA==\x07", `\x1b]52;c;ZXZpbA==\x07`},
		{"del\x7f", `del\x7f`},
		{"c1\u009b2J", `c1\u009b2J`},
		{"bidi \u202egnp.exe", `bidi \u202egnp.exe`},
		{"bad \xff byte", `bad \xff byte`},
		{"tab\there", `tab\there`},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLine(t *testing.T) {
	if got := Line("abc\ndef", 5); got != `abc\n…` {
		t.Errorf("got %q", got)
	}
	if got := Line("short", 10); got != "short" {
		t.Errorf("got %q", got)
	}
}
