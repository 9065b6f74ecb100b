// Package profile implements `ksm profile ...`: one file per subcommand,
// each an options struct, a constructor that wires flags, and a run
// function that does the work.
package profile

import (
	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
)

// NewCommand returns `ksm profile` and its subcommands.
func NewCommand(f *cmdutil.Factory, extra ...*cli.Command) *cli.Command {
	return &cli.Command{
		Name:  "profile",
		Usage: "Manage client-device profiles in keeper.ini",
		Subcommands: append([]*cli.Command{
			newInitCommand(f),
			newListCommand(f),
			newActiveCommand(f),
			newShowCommand(f),
			newImportCommand(f),
			newExportCommand(f),
			newDeleteCommand(f),
			newSetupCommand(f),
			newLinkKeyringCommand(f),
		}, extra...),
	}
}
