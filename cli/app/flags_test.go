package app

import (
	"slices"
	"testing"

	"github.com/ksm-cli/ksm/cli/internal/iostreams"
	"github.com/ksm-cli/ksm/internal/setupflags"
)

// Every global flag of ksm is accepted after `profile setup` by its long
// names, so each of them is reserved: a store option of that name could
// never be set. Short names (Keeper's -p, -o, -c, -nc) are read only before
// the command; normalizeArgs leaves them to the command after it. This ties
// the app's flags to setupflags.ReservedNames.
func TestGlobalFlagsAreReserved(t *testing.T) {
	f := NewFactory(&iostreams.Streams{})
	a := New(f, Build{})
	reserved := setupflags.ReservedNames()
	for _, fl := range a.Flags {
		for _, name := range fl.Names() {
			if !setupflags.Short(name) && !slices.Contains(reserved, name) {
				t.Errorf("global flag %q is not reserved for store options", name)
			}
		}
	}
}
