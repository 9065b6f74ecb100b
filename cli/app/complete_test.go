package app

import (
	"slices"
	"testing"
)

// Bash splits "--type=fi" into "--type", "=", "fi" (COMP_WORDBREAKS); zsh
// and fish keep it whole.
func TestJoinEquals(t *testing.T) {
	tests := []struct {
		words    []string
		want     []string
		wantFlag string
	}{
		{words: []string{"profile", "list", "--"}, want: []string{"profile", "list", "--"}},
		{words: []string{"--profile", "=", ""}, want: []string{""}, wantFlag: "profile"},
		{words: []string{"--profile", "="}, want: []string{""}, wantFlag: "profile"},
		{words: []string{"profile", "init", "--type", "=", "fi"}, want: []string{"profile", "init", "fi"}, wantFlag: "type"},
		{words: []string{"--ini-file", "=", "x.ini", "profile", ""}, want: []string{"--ini-file=x.ini", "profile", ""}},
		{words: []string{"--profile=a", "profile", "show", ""}, want: []string{"--profile=a", "profile", "show", ""}},
		// "=" that does not follow a flag is an argument.
		{words: []string{"secret", "get", "=", ""}, want: []string{"secret", "get", "=", ""}},
	}
	for _, tt := range tests {
		got, flag := joinEquals(tt.words)
		if !slices.Equal(got, tt.want) || flag != tt.wantFlag {
			t.Errorf("joinEquals(%q) = %q, %q; want %q, %q", tt.words, got, flag, tt.want, tt.wantFlag)
		}
	}
}
