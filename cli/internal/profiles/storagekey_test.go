package profiles

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/internal/setupflags"
)

// The keeper.ini key naming a profile's store is also a name no store
// option may take; the model owns it and the flag code must agree.
func TestStorageKeyReserved(t *testing.T) {
	if StorageKey != setupflags.StorageKey {
		t.Errorf("profiles.StorageKey = %q, setupflags.StorageKey = %q", StorageKey, setupflags.StorageKey)
	}
}

// The profile model imports no flag code: flags depend on the model,
// never the other way round.
func TestModelImportsNoFlags(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasSuffix(dep, "/internal/setupflags") || strings.Contains(dep, "/urfave/cli") {
			t.Errorf("cli/internal/profiles depends on %s", dep)
		}
	}
}
