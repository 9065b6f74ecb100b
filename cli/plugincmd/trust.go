package plugincmd

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/pluginhost"
	"github.com/ksm-cli/ksm/internal/safetext"
)

func newTrustCommand(f *cmdutil.Factory) *cli.Command {
	var force bool
	return &cli.Command{
		Name:      "trust",
		Usage:     "Trust the installed plugin of a store type (pin its SHA-256)",
		ArgsUsage: "TYPE",
		Description: `ksm runs a plugin only while its binary has the SHA-256 it was trusted with.
"ksm profile setup --type=TYPE" trusts a new plugin on first use; run this
after you install or update a plugin on purpose. The plugin and every
directory above it must be yours or root's and not writable by others.
A plugin built with this ksm stays trusted as such across upgrades.
ksm runs the plugin once to ask its version (bounded by --timeout) and
says which one it replaces; an older version than the one trusted before
is refused unless --force is given.

Example:
   ksm plugin trust vault`,
		Flags: []cli.Flag{&cli.BoolFlag{Name: "force", Usage: "trust even an older version than the one trusted before", Destination: &force}},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return cmdutil.Usagef("plugin trust takes exactly one store TYPE")
			}
			ch, err := f.PluginHost().TrustPlugin(c.Context, c.Args().First(), nil, force)
			if err != nil {
				return err
			}
			fmt.Fprintf(f.IO.ErrOut, "Trusted plugin %s %s%s (sha256 %s).\n", safetext.Escape(ch.Plugin.Path),
				pluginhost.ShowVersion(ch.New.Describe.Version), replaced(ch.Old, ch.New.SHA256), ch.New.SHA256)
			return nil
		},
	}
}
