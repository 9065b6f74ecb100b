package profile

import (
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/shared"
)

// A store's help text and allowed values reach `profile setup --help`
// escaped: no terminal title, colour or bidi override from a plugin.
func TestOptionFlagsEscapePluginText(t *testing.T) {
	d := &shared.Description{Options: []shared.Option{
		{Name: "a", Usage: "where\x1b]0;pwned\x07 it is\u202e", Type: shared.OptionString},
		{Name: "b", Usage: "mode", Type: shared.OptionEnum, Allowed: []string{"x\x1b[31m", "y"}},
	}}
	for _, f := range optionFlags(d) {
		usage := f.(cli.DocGenerationFlag).GetUsage()
		if strings.ContainsAny(usage, "\x1b\x07\u202e") {
			t.Errorf("%s: usage %q holds control or format characters", f.Names()[0], usage)
		}
	}
}
