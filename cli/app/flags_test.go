package app

import (
	"slices"
	"testing"

	"github.com/ksm-cli/ksm/cli/internal/iostreams"
	"github.com/ksm-cli/ksm/internal/setupflags"
)

// Every global flag of ksm is accepted after `profile setup`, so each of
// its names is reserved: a store option of that name could never be set.
// This ties the app's flags to setupflags.ReservedNames.
func TestGlobalFlagsAreReserved(t *testing.T) {
	f := NewFactory(&iostreams.Streams{})
	a := New(f, Build{})
	reserved := setupflags.ReservedNames()
	for _, fl := range a.Flags {
		for _, name := range fl.Names() {
			if !slices.Contains(reserved, name) {
				t.Errorf("global flag %q is not reserved for store options", name)
			}
		}
	}
}
