package profile

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/keeperkeyring"
	"github.com/ksm-cli/ksm/cli/internal/profiles"
	"github.com/ksm-cli/ksm/internal/keeperlayout"
	"github.com/ksm-cli/ksm/shared"
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
		Description: `For a profile linked to one of Keeper's CLI's profiles in the OS keyring
(ksm profile link-keyring), Keeper's CLI's active profile changes too
(its ksm-cli-common item), so that both CLIs agree.

Example:
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
	// Keeper's choice changes inside keeper.ini's update: if it fails,
	// keeper.ini is left as it was, and the two CLIs still agree.
	_, err := opts.f.Ini().Update(ctx, func(b *profiles.Book) error {
		if err := b.SetActive(opts.Name); err != nil {
			return err
		}
		p, err := b.Get(opts.Name)
		if err != nil {
			return err
		}
		return makeKeepersChoice(ctx, opts.f, p)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.f.IO.ErrOut, "%s is now the active profile.\n", opts.Name)
	return nil
}

// makeKeepersChoice makes p Keeper's CLI's active profile too (in its
// ksm-cli-common list, through the keyring store) when p is one of the
// profiles Keeper's CLI keeps in the OS keyring.
func makeKeepersChoice(ctx context.Context, f *cmdutil.Factory, p *profiles.Profile) error {
	if p.Storage != keeperkeyring.StoreType {
		return nil
	}
	service, item := p.Settings[keeperlayout.SettingService], p.Settings[keeperlayout.SettingItem]
	keeperName, ok := keeperlayout.ProfileOf(service, item)
	if !ok {
		return nil
	}
	// Not a first use: the profile was set up or linked through this store.
	s, err := f.PluginHost().Open(ctx, keeperkeyring.StoreType, false)
	if err == nil {
		defer s.Close()
		err = s.Save(ctx, shared.SaveRequest{
			Settings: shared.Settings{keeperlayout.SettingService: service, keeperlayout.SettingItem: keeperlayout.IndexItem},
			Config:   keeperlayout.ActiveToConfig(keeperName),
		})
	}
	if err != nil {
		return fmt.Errorf("profile %s is Keeper's CLI's profile %s, which could not be made its active profile too: %w; nothing was changed", p.Name, keeperName, err)
	}
	return nil
}
