package pluginhost

import (
	"os"
	"strings"
	"testing"
)

// docs/plugin-protocol.md tells plugin authors which variables every plugin
// gets; baseEnv is what ksm passes. The doc must name each one (the proxy
// variables as a group).
func TestProtocolDocListsBaseEnv(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/plugin-protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range baseEnv {
		if strings.HasSuffix(strings.ToUpper(name), "_PROXY") {
			name = "HTTPS_PROXY" // named with "the proxy variables"
		}
		if !strings.Contains(string(doc), "`"+name+"`") {
			t.Errorf("docs/plugin-protocol.md does not name %s, which every plugin gets", name)
		}
	}
}
