package keeperlayout

import (
	"regexp"
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

// ValidName is a loop; Keeper's own pattern is the oracle, over every
// byte at every position of short names and at the length limits.
func TestValidNameFollowsKeepersPattern(t *testing.T) {
	keeper := regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	names := []string{"", strings.Repeat("x", 63), strings.Repeat("x", 64), strings.Repeat("x", 65)}
	for b := 0; b < 256; b++ {
		c := string([]byte{byte(b)})
		names = append(names, c, "a"+c, c+"a", strings.Repeat("y", 63)+c)
	}
	for _, name := range names {
		if got, want := ValidName(name), keeper.MatchString(name); got != want {
			t.Errorf("ValidName(%q) = %v, Keeper's pattern says %v", name, got, want)
		}
	}
}
