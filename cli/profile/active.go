package profile

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/profiles"
)

type activeOptions struct {
	f    *cmdutil.Factory
	Name string
}

func newActiveCommand(f *cmdutil.Factory) *cli.Command {
	opts := &activeOptions{f: f}
	return &cli.Command{
		Name:      "active",
		Usage:     "Make a profile the active one",
		ArgsUsage: "NAME",
		Description: `Example:
   ksm profile active prod`,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return cmdutil.Usagef("profile active takes exactly one profile NAME")
			}
			opts.Name = c.Args().First()
			return runActive(c.Context, opts)
		},
	}
}

func runActive(ctx context.Context, opts *activeOptions) error {
	if err := opts.f.Ini().RequireIni(); err != nil {
		return err
	}
	_, err := opts.f.Ini().Update(ctx, func(b *profiles.Book) error { return b.SetActive(opts.Name) })
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.f.IO.ErrOut, "%s is now the active profile.\n", opts.Name)
	return nil
}
