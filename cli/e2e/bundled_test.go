package e2e

import (
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The e2e build bundles the plugins `make build` does: the Makefile's
// PLUGINS list and the bundled map are two copies of one fact.
func TestBundledMatchesMakefile(t *testing.T) {
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^PLUGINS\s*:=\s*(.*)$`).FindSubmatch(mk)
	if m == nil {
		t.Fatal("no PLUGINS line in the Makefile")
	}
	want := strings.Fields(string(m[1]))
	slices.Sort(want)
	got := slices.Sorted(maps.Keys(bundled))
	if !slices.Equal(got, want) {
		t.Errorf("bundled %v, Makefile PLUGINS %v", got, want)
	}
	for typ, pkg := range bundled {
		if pkg != "./plugins/"+typ+"/cmd/ksm-storage-"+typ {
			t.Errorf("bundled %s builds %s, not the package make build builds", typ, pkg)
		}
	}
}
