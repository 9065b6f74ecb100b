package setupflags_test

import (
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/internal/setupflags"
	"github.com/ksm-cli/ksm/shared"
)

// A store option's short name meets the same reserved names as its long
// name: a one-letter name of setup's own flags or of help (-p, -t, -h) is
// refused by the description check ksm runs on every plugin, while the
// short names of the global flags, read only before the command, stay
// free (the aws store's -c is --credentials, as in Keeper's CLI).
func TestShortNamesMeetReservedNames(t *testing.T) {
	reserved := setupflags.ReservedNames()
	describe := func(short string) *shared.Description {
		return &shared.Description{Name: "x", Version: "1", ProtocolVersion: shared.ProtocolVersion,
			Options: []shared.Option{{Name: "opt", Short: short, Usage: "an option"}}}
	}
	var short []string
	for _, n := range reserved {
		if len(n) == 1 {
			short = append(short, n)
		}
	}
	if strings.Join(short, ",") != "t,p,h" {
		t.Errorf("reserved one-letter names %v; a short flag was added to setup or help without a test", short)
	}
	for _, n := range short {
		if err := describe(n).Check("x", reserved); err == nil || !strings.Contains(err.Error(), "is reserved by ksm") {
			t.Errorf("short name %q: %v, want it refused as reserved", n, err)
		}
	}
	for _, f := range setupflags.GlobalFlags() {
		for _, n := range f.Names() {
			if len(n) == 1 && n != "p" {
				if err := describe(n).Check("x", reserved); err != nil {
					t.Errorf("global short name %q refused for a store option: %v", n, err)
				}
			}
		}
	}
}
