package docs

import (
	"fmt"
	"maps"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The import rules docs/layout.md states, checked on what the go command
// builds (`go list -deps`: every package a package needs, transitively, test
// files excluded), for each OS ksm ships on: build constraints can add
// imports on one OS only.
var importRules = []struct {
	from, mayNotUse, why string
}{
	{"cli/", "plugins/", "ksm reaches a plugin only as a process; what both must agree on lives in internal/ or shared/"},
	{"sdk/", "cli/", "a plugin author's SDK carries none of the host"},
	{"sdk/", "plugins/", "a plugin author's SDK depends on no bundled plugin"},
	{"plugins/", "cli/", "a plugin links none of ksm"},
	{"shared/", "cli/", "the contract holds none of the host's plumbing"},
	{"shared/", "plugins/", "the contract depends on no plugin"},
	{"internal/", "cli/", "what both sides use depends on neither side"},
	{"internal/", "plugins/", "what both sides use depends on neither side"},
}

const module = "github.com/ksm-cli/ksm/"

func TestImportsGoWithTheGrain(t *testing.T) {
	for _, goos := range []string{"linux", "darwin", "windows"} {
		deps := packageDeps(t, goos)
		for _, r := range importRules {
			if !slices.ContainsFunc(slices.Collect(maps.Keys(deps)), func(p string) bool { return strings.HasPrefix(p, module+r.from) }) {
				t.Errorf("GOOS=%s: no package under %s: the rule %s -> %s checks nothing", goos, r.from, r.from, r.mayNotUse)
			}
		}
		for _, v := range importViolations(deps) {
			t.Errorf("GOOS=%s: %s", goos, v)
		}
	}
}

// The check flags what it forbids, found through a transitive dependency.
func TestImportViolationsFlagsAUseAgainstTheGrain(t *testing.T) {
	deps := map[string][]string{
		module + "cli/profile": {"fmt", module + "internal/keeperlayout", module + "plugins/keyring/keeperlayout"},
		module + "sdk":         {module + "shared", module + "cli/internal/cmdutil"},
		module + "plugins/aws": {module + "sdk", module + "shared"},
	}
	got := importViolations(deps)
	want := []string{
		module + "cli/profile uses " + module + "plugins/keyring/keeperlayout: cli/ may not use plugins/ (" + importRules[0].why + ")",
		module + "sdk uses " + module + "cli/internal/cmdutil: sdk/ may not use cli/ (" + importRules[1].why + ")",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func importViolations(deps map[string][]string) []string {
	var found []string
	for _, pkg := range slices.Sorted(maps.Keys(deps)) {
		for _, r := range importRules {
			if !strings.HasPrefix(pkg+"/", module+r.from) {
				continue
			}
			for _, dep := range deps[pkg] {
				if strings.HasPrefix(dep+"/", module+r.mayNotUse) {
					found = append(found, fmt.Sprintf("%s uses %s: %s may not use %s (%s)", pkg, dep, r.from, r.mayNotUse, r.why))
				}
			}
		}
	}
	return found
}

// packageDeps maps each of the module's packages to every package it needs.
func packageDeps(t *testing.T, goos string) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-tags", "devtools", "-f", `{{.ImportPath}} {{join .Deps " "}}`, "./...")
	cmd.Dir = root
	cmd.Env = append(cmd.Environ(), "GOOS="+goos, "GOARCH=amd64", "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("GOOS=%s go list: %v", goos, err)
	}
	deps := map[string][]string{}
	for line := range strings.Lines(string(out)) {
		if fields := strings.Fields(line); len(fields) > 0 {
			deps[fields[0]] = fields[1:]
		}
	}
	return deps
}
