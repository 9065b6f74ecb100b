package keeperlayout

import (
	"strings"
	"testing"
)

// Keeper's CLI's rule: ^[a-zA-Z0-9_-]{1,64}$.
func TestValidName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"_default", true},
		{"-leading-dash", true},
		{strings.Repeat("a", 64), true},
		{strings.Repeat("a", 65), false},
		{"", false},
		{"a b", false},
		{"a\n", false},
		{"é", false},
	}
	for _, tt := range tests {
		if got := ValidName(tt.name); got != tt.want {
			t.Errorf("ValidName(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
