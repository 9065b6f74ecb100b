package profiles

import (
	"regexp"
	"strings"
	"testing"
)

func TestValidNameMatchesItsPattern(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	names := []string{"", "a", "_default", "A-b_9", "a b", "a.b", "é", "a\n", strings.Repeat("x", 64), strings.Repeat("x", 65), "-", "[x]"}
	for _, n := range names {
		if got, want := validName(n), re.MatchString(n); got != want {
			t.Errorf("validName(%q) = %v, the pattern says %v", n, got, want)
		}
	}
}
