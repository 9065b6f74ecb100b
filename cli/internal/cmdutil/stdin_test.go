package cmdutil

import (
	"strings"
	"testing"
)

func TestReadStdin(t *testing.T) {
	tests := []struct {
		in    string
		limit int64
		want  string // error text, or the input
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "the config on standard input is too large (more than 3 bytes)"},
		{strings.Repeat("x", 1<<20+1), 1 << 20, "is too large (more than 1 MiB)"},
		{strings.Repeat("x", 1<<16+1), 1 << 16, "is too large (more than 64 KiB)"},
	}
	for _, tt := range tests {
		got, err := ReadStdin(strings.NewReader(tt.in), tt.limit, "the config")
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, tt.want) {
			t.Errorf("%d bytes, limit %d: got %q, want %q", len(tt.in), tt.limit, got, tt.want)
		}
	}
}
