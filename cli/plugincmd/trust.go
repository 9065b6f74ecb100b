package plugincmd

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
)

func newTrustCommand(f *cmdutil.Factory) *cli.Command {
	return &cli.Command{
		Name:      "trust",
		Usage:     "Trust the installed plugin of a store type (pin its SHA-256)",
		ArgsUsage: "TYPE",
		Description: `ksm runs a plugin only while its binary has the SHA-256 it was trusted with.
"ksm profile setup --type=TYPE" trusts a new plugin on first use; run this
after you install or update a plugin on purpose. The plugin and every
directory above it must be yours or root's and not writable by others.
A plugin built with this ksm stays trusted as such across upgrades.

Example:
   ksm plugin trust vault`,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return cmdutil.Usagef("plugin trust takes exactly one store TYPE")
			}
			rec, p, err := f.PluginHost().TrustPlugin(c.Context, c.Args().First())
			if err != nil {
				return err
			}
			fmt.Fprintf(f.IO.ErrOut, "Trusted plugin %s (sha256 %s).\n", p.Path, rec.SHA256)
			return nil
		},
	}
}
