// Package plugincmd implements `ksm plugin ...`: listing the storage
// plugins ksm can find, trusting, installing and removing one.
package plugincmd

import (
	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
)

// NewCommand returns `ksm plugin` and its subcommands.
func NewCommand(f *cmdutil.Factory) *cli.Command {
	return &cli.Command{
		Name:  "plugin",
		Usage: "List, trust, check, install and remove storage plugins (ksm-storage-<type>)",
		Description: `Storage plugins are found in $KSM_PLUGIN_PATH when it is set, else beside the
ksm executable, then in the user's config dir (ksm/plugins). Never in the
current directory.`,
		Subcommands: []*cli.Command{newListCommand(f), newTrustCommand(f), newCheckCommand(f), newInstallCommand(f), newRemoveCommand(f)},
	}
}
