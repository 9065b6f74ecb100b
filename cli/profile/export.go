package profile

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/envtoken"
	"github.com/ksm-cli/ksm/cli/internal/keeperkeyring"
	"github.com/ksm-cli/ksm/cli/internal/profiles"
	"github.com/ksm-cli/ksm/cli/internal/stores"
)

type exportOptions struct {
	f      *cmdutil.Factory
	Name   string
	Plain  bool
	Format string
}

func newExportCommand(f *cmdutil.Factory) *cli.Command {
	opts := &exportOptions{f: f}
	return &cli.Command{
		Name:      "export",
		Usage:     "Print a profile as a stand-alone config (base64 by default)",
		ArgsUsage: "[NAME]",
		Description: `Prints the profile (default: the active one) as a one-profile keeper.ini,
base64url-encoded, ready for "ksm profile import" or KSM_CONFIG elsewhere.
A profile kept in the OS keyring is read from there; profiles kept in other
stores (file, aws, vault, ...) are not exported.

Examples:
   ksm profile export
   ksm profile export prod --file-format json
   ksm profile export prod --plain --file-format json > config.json`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "plain", Usage: "print the text itself instead of base64", Destination: &opts.Plain},
			&cli.StringFlag{Name: "file-format", Usage: "`FORMAT` of the config: ini or json", Value: "ini", Destination: &opts.Format},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return cmdutil.Usagef("profile export takes at most one profile NAME")
			}
			opts.Name = c.Args().First()
			return runExport(opts)
		},
	}
}

func runExport(opts *exportOptions) error {
	if opts.Format != "ini" && opts.Format != "json" {
		return cmdutil.Usagef("--file-format must be ini or json, not %q", opts.Format)
	}
	ctx := context.Background()
	if err := envtoken.Redeem(ctx, opts.f); err != nil {
		return err
	}
	_, p, err := opts.f.Ini().ReadProfile(opts.Name)
	if err != nil {
		return err
	}
	if p.External() && p.Storage != keeperkeyring.StoreType {
		return fmt.Errorf("profile %s keeps its config in the %s store, and ksm exports only profiles kept in keeper.ini or the OS keyring (as Keeper's CLI does): "+
			"a store's config stays in that store; export the profile it was set up from, or use the %s store's own tools", p.Name, p.Storage, p.Storage)
	}
	// A keyring profile (Keeper's CLI's own, linked) is loaded through
	// its store, which verifies it, as Keeper's CLI exports it.
	cfg, err := stores.Config(ctx, opts.f.PluginHost, p)
	if err != nil {
		return err
	}
	data := profiles.ExportINI(cfg)
	if opts.Format == "json" {
		data = profiles.ExportJSON(cfg)
	}
	out := string(data)
	if !opts.Plain {
		out = profiles.EncodeExport(data)
	}
	_, err = fmt.Fprint(opts.f.IO.Out, out)
	return err
}
