package conformance

import (
	"slices"
	"testing"

	"github.com/ksm-cli/ksm/internal/setupflags"
)

// The copy of the reserved names is the owner's list, in the same order.
func TestReservedNamesAreSetupFlags(t *testing.T) {
	if want := setupflags.ReservedNames(); !slices.Equal(reservedNames, want) {
		t.Errorf("reservedNames = %q, setupflags.ReservedNames() = %q: copy the new list into reserved.go", reservedNames, want)
	}
}
