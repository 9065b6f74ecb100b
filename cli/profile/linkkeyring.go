package profile

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/keeperkeyring"
	"github.com/ksm-cli/ksm/cli/internal/pluginhost"
	"github.com/ksm-cli/ksm/cli/internal/profiles"
	"github.com/ksm-cli/ksm/internal/keeperlayout"
	"github.com/ksm-cli/ksm/shared"
)

type linkKeyringOptions struct {
	f       *cmdutil.Factory
	Service string
	Force   bool
}

func newLinkKeyringCommand(f *cmdutil.Factory) *cli.Command {
	opts := &linkKeyringOptions{f: f}
	return &cli.Command{
		Name:  "link-keyring",
		Usage: "Use the profiles Keeper's CLI keeps in the OS keyring, from keeper.ini",
		Description: `Keeper's CLI 1.4 keeps its profiles in the OS keyring (service KSM-cli)
instead of keeper.ini. This adds each of them to keeper.ini as a profile of
the same name with "storage = keyring", pointing at Keeper's item: the keys
stay in the keyring (nothing secret is written to disk), and both CLIs keep
working with the same profiles. Each item is read and its integrity checked
first; if any cannot be used, nothing is written. keeper.ini is created
where "profile init" would create it if there is none; its active profile
becomes Keeper's active one unless it already has one.

Examples:
   ksm profile link-keyring
   ksm profile link-keyring --force`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "service", Usage: "keyring service `NAME` Keeper's CLI uses", Value: keeperlayout.Service, Destination: &opts.Service},
			&cli.BoolFlag{Name: "force", Usage: "replace keeper.ini profiles of the same names", Destination: &opts.Force},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return cmdutil.Usagef("profile link-keyring takes no arguments, got %q", c.Args().First())
			}
			return runLinkKeyring(c.Context, opts)
		},
	}
}

// linked is one Keeper profile about to become a keeper.ini profile.
type linked struct {
	name     string
	settings shared.Settings
}

func runLinkKeyring(ctx context.Context, opts *linkKeyringOptions) error {
	f := opts.f
	s, err := f.PluginHost().Open(ctx, keeperkeyring.StoreType, true)
	if err != nil {
		return err
	}
	defer s.Close()
	names, active, err := keeperkeyring.Profiles(ctx, s, opts.Service)
	if shared.CodeOf(err) == shared.CodeNotFound {
		//lint:ignore ST1005 "Keeper" is a name, capitalised as Keeper writes it
		return fmt.Errorf("Keeper's CLI keeps no profiles in the OS keyring (no %s item under service %s)", keeperlayout.IndexItem, opts.Service)
	}
	if err != nil {
		return err
	}
	if len(names) == 0 {
		//lint:ignore ST1005 "Keeper" is a name, capitalised as Keeper writes it
		return fmt.Errorf("Keeper's CLI profile list in the OS keyring (service %s) is empty", opts.Service)
	}
	// Prove every item usable before writing anything.
	var links []linked
	for _, name := range names {
		if err := profiles.ValidateName(name); err != nil {
			//lint:ignore ST1005 "Keeper" is a name, capitalised as Keeper writes it
			return fmt.Errorf("Keeper profile %s cannot be a ksm profile: %w; nothing was linked", name, err)
		}
		l, err := checkKeeperProfile(ctx, f, s, opts.Service, name)
		if err != nil {
			//lint:ignore ST1005 "Keeper" is a name, capitalised as Keeper writes it
			return fmt.Errorf("Keeper profile %s: %w; nothing was linked", name, err)
		}
		links = append(links, l)
	}
	linked := make([]*profiles.Profile, len(links))
	for i, l := range links {
		linked[i] = &profiles.Profile{Name: l.name, Storage: keeperkeyring.StoreType}
	}
	warnKeeperCLI(f, f.Ini().WritePath(), linked...)
	path, err := f.Ini().Update(ctx, func(b *profiles.Book) error {
		for _, l := range links {
			if b.Has(l.name) && !opts.Force {
				return fmt.Errorf("profile %s already exists in keeper.ini; use --force to replace it with Keeper's; nothing was linked", l.name)
			}
		}
		for _, l := range links {
			if err := b.Put(&profiles.Profile{Name: l.name, Storage: keeperkeyring.StoreType, Settings: l.settings}); err != nil {
				return err
			}
		}
		if b.Active() == "" || !b.Has(b.Active()) {
			if !slices.Contains(names, active) {
				active = names[0]
			}
			return b.SetActive(active)
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "Linked %d profile(s) of Keeper's CLI from the OS keyring into %s: %s (storage = keyring; the keys stay in the keyring).\n",
		len(links), path, strings.Join(names, ", "))
	return nil
}

// checkKeeperProfile validates the settings that point at Keeper's item
// and loads it once (integrity checked by the store).
func checkKeeperProfile(ctx context.Context, f *cmdutil.Factory, s *pluginhost.Session, service, name string) (linked, error) {
	settings, err := s.Validate(ctx, map[string]string{keeperlayout.SettingService: service, keeperlayout.SettingItem: keeperlayout.ProfileItem(name)})
	if err != nil {
		return linked{}, err
	}
	if _, err := s.Load(ctx, settings); err != nil {
		return linked{}, err
	}
	return linked{name: name, settings: settings}, nil
}
