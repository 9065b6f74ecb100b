package plugincmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/internal/atomicfile"
	"github.com/ksm-cli/ksm/shared"
)

func newRemoveCommand(f *cmdutil.Factory) *cli.Command {
	return &cli.Command{
		Name:      "remove",
		Usage:     "Remove a storage plugin from your plugin directory",
		ArgsUsage: "TYPE",
		Description: `Removes ksm-storage-TYPE from your plugin directory, where "ksm plugin
install" puts plugins. The plugins that come with ksm (beside it) are
removed with ksm itself.

Example:
   ksm plugin remove vault`,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return cmdutil.Usagef("plugin remove takes exactly one store TYPE")
			}
			return runRemove(c.Context, f, c.Args().First())
		},
	}
}

func runRemove(ctx context.Context, f *cmdutil.Factory, typ string) error {
	if !shared.ValidTypeName(typ) {
		return cmdutil.Usagef("%q is not a store type: use lower-case words joined by '-', as `ksm plugin list` shows", typ)
	}
	dir, err := f.UserPluginDir()
	if err != nil {
		return err
	}
	name := shared.BinaryPrefix + typ
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	path := filepath.Join(dir, name)
	// Lstat: a symlink is removed, never what it points to.
	if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
		if p, ferr := f.PluginHost().Find(typ); ferr == nil {
			return fmt.Errorf("the %s plugin in use is %s, not in your plugin directory %s; remove it the way it was installed", typ, p.Path, dir)
		}
		return fmt.Errorf("no %s plugin in your plugin directory %s (see `ksm plugin list`)", typ, dir)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("cannot remove %s: %w", path, atomicfile.Cause(err))
	}
	fmt.Fprintf(f.IO.ErrOut, "Removed plugin %s.\n", path)
	if err := f.PluginHost().Trust.Forget(ctx, path); err != nil {
		fmt.Fprintf(f.IO.ErrOut, "Warning: its pin stays in the trust file: %v\n", err)
	}
	if users := profilesUsing(f, typ); len(users) > 0 {
		fmt.Fprintf(f.IO.ErrOut, "Warning: profiles %s use the %s store and fail until its plugin is installed again.\n",
			strings.Join(users, ", "), typ)
	}
	return nil
}

// profilesUsing names the keeper.ini profiles whose config lives in the
// typ store (none when there is no keeper.ini to read).
func profilesUsing(f *cmdutil.Factory, typ string) []string {
	src, err := f.Ini().Read()
	if err != nil {
		return nil
	}
	var names []string
	for _, name := range src.Book.Names() {
		if p, err := src.Book.Get(name); err == nil && p.Storage == typ {
			names = append(names, name)
		}
	}
	return names
}
