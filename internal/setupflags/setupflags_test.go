package setupflags

import (
	"slices"
	"testing"
)

// Every flag name and alias is reserved, with storage; nothing else.
func TestReservedNames(t *testing.T) {
	got := ReservedNames()
	want := []string{"type", "t", "profile-name", "p", "from-profile", "force", "help", "h", "storage",
		"ini-file", "profile", "output", "color", "no-color", "cache", "no-cache", "log-level", "debug", "timeout"}
	for _, want := range want {
		if !slices.Contains(got, want) {
			t.Errorf("%q is not reserved", want)
		}
	}
	if len(got) != len(want) {
		t.Errorf("reserved %v: a flag was added here without a test, or a name is listed twice", got)
	}
}

// The short names of the global flags are read only before the command, so
// a store may declare them (the aws store's -c is --credentials, Keeper's
// global -c is --color); every other global name is reserved.
func TestGlobalShortNamesAreNotReserved(t *testing.T) {
	reserved := ReservedNames()
	for _, f := range GlobalFlags() {
		for _, n := range f.Names() {
			if Short(n) == slices.Contains(reserved, n) && n != "p" {
				t.Errorf("global flag name %q: short=%v, reserved=%v", n, Short(n), !Short(n))
			}
		}
	}
}
