package sdk

import (
	"os/exec"
	"strings"
	"testing"
)

// The bundled plugins are the examples authors copy: their code imports
// the contract through sdk alone, as the README tells authors to (their
// tests may use more).
func TestBundledPluginsImportSdkOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "../plugins/...").Output()
	if err != nil {
		t.Fatalf("go list ../plugins/...: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 8 {
		t.Fatalf("go list found only %d packages under plugins/", len(lines))
	}
	for _, line := range lines {
		pkg, imports, _ := strings.Cut(line, " ")
		for _, imp := range strings.Fields(imports) {
			if imp == "github.com/ksm-cli/ksm/shared" || strings.HasPrefix(imp, "github.com/ksm-cli/ksm/internal/wire") {
				t.Errorf("%s imports %s; a plugin imports the contract through sdk", pkg, imp)
			}
		}
	}
}
