package storagetest

import (
	"os/exec"
	"strings"
	"testing"
)

// What a plugin author links (the sdk, and this package in the plugin's
// tests) holds nothing of ksm's command line: no CLI library, no command
// package, no flag definitions. Each is a dependency every author would
// carry for nothing, and a sign that host plumbing leaked into the
// contract.
func TestAuthorsLinkNothingOfTheCLI(t *testing.T) {
	forbidden := []string{
		"github.com/urfave/cli",
		"github.com/ksm-cli/ksm/cli/",
		"github.com/ksm-cli/ksm/internal/setupflags",
	}
	for _, pkg := range []string{"github.com/ksm-cli/ksm/sdk", "github.com/ksm-cli/ksm/sdk/storagetest"} {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 10 {
			t.Fatalf("go list -deps %s listed only %q", pkg, deps)
		}
		for _, dep := range deps {
			for _, f := range forbidden {
				if strings.HasPrefix(dep, f) {
					t.Errorf("%s links %s", pkg, dep)
				}
			}
		}
	}
}
