package setupflags

import (
	"slices"
	"testing"
)

// Every flag name and alias is reserved, with storage; nothing else.
func TestReservedNames(t *testing.T) {
	got := ReservedNames()
	for _, want := range []string{"type", "profile-name", "p", "from-profile", "force", "ini-file", "profile", "debug", "timeout", "help", "h", "storage"} {
		if !slices.Contains(got, want) {
			t.Errorf("%q is not reserved", want)
		}
	}
	if len(got) != 12 {
		t.Errorf("reserved %v: a flag was added here without a test, or a name is listed twice", got)
	}
}
