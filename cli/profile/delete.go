package profile

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/profiles"
)

type deleteOptions struct {
	f    *cmdutil.Factory
	Name string
}

func newDeleteCommand(f *cmdutil.Factory) *cli.Command {
	opts := &deleteOptions{f: f}
	return &cli.Command{
		Name:      "delete",
		Usage:     "Remove a profile from keeper.ini",
		ArgsUsage: "NAME",
		Description: `Removes the profile's section. Deleting the active profile makes the one
remaining profile active, or leaves none active when several remain.
A store's own data (an AWS secret, a file) is not touched.

Example:
   ksm profile delete staging`,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return cmdutil.Usagef("profile delete takes exactly one profile NAME")
			}
			opts.Name = c.Args().First()
			return runDelete(c.Context, opts)
		},
	}
}

func runDelete(ctx context.Context, opts *deleteOptions) error {
	if err := opts.f.Ini().RequireIni(); err != nil {
		return err
	}
	var wasActive bool
	var active string
	left := 0
	path, err := opts.f.Ini().Update(ctx, func(b *profiles.Book) error {
		wasActive = b.Active() == opts.Name
		var err error
		active, err = b.Delete(opts.Name)
		left = len(b.Names())
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.f.IO.ErrOut, "Deleted profile %s from %s.\n", opts.Name, path)
	switch {
	case left == 0:
		fmt.Fprintln(opts.f.IO.ErrOut, "No profile is left; create one with `ksm profile init` or `ksm profile import`.")
	case wasActive && active != "":
		fmt.Fprintf(opts.f.IO.ErrOut, "%s is now the active profile.\n", active)
	case wasActive:
		fmt.Fprintln(opts.f.IO.ErrOut, "No profile is active now; choose one with `ksm profile active NAME`.")
	}
	return nil
}
