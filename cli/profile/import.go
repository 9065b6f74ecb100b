package profile

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/profiles"
	"github.com/ksm-cli/ksm/internal/safetext"
)

type importOptions struct {
	f          *cmdutil.Factory
	Config     string
	Name       string
	OutputFile string
	Force      bool
	// AllowStorage lets a keeper.ini's profiles that keep their config in
	// a store in: a store's settings choose where ksm sends credentials.
	AllowStorage bool
}

func newImportCommand(f *cmdutil.Factory) *cli.Command {
	opts := &importOptions{f: f}
	return &cli.Command{
		Name:      "import",
		Usage:     "Import a config printed by `profile export` (SDK JSON or a keeper.ini, base64)",
		ArgsUsage: "CONFIG|-",
		Description: `CONFIG is what "ksm profile export" (or Keeper's CLI) prints: base64 of SDK
JSON or of a keeper.ini. Pass "-" to read it from standard input, which keeps
it out of the process list; there the plain JSON or keeper.ini is accepted
too. To import a file, redirect it: "ksm profile import - < FILE".

Examples:
   ksm profile import eyJob3N0bmFtZSI6...
   ksm profile import -p prod - < prod.b64
   ksm profile import -p prod - < config.json
   ksm profile import --output-file /etc/ksm/keeper.ini - < config.b64`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "profile-name", Aliases: []string{"p"}, Usage: "profile to create (default: $KSM_CLI_PROFILE or _default; for a keeper.ini, its own names)", Destination: &opts.Name},
			&cli.StringFlag{Name: "output-file", Aliases: []string{"f"}, Usage: "keeper.ini to write (default: the one in use, else $KSM_INI_DIR or the current directory)", Destination: &opts.OutputFile},
			&cli.BoolFlag{Name: "force", Usage: "replace profiles that already exist", Destination: &opts.Force},
			&cli.BoolFlag{Name: "allow-storage", Usage: "import a keeper.ini's profiles that keep their config in a store (their settings choose where ksm sends credentials: check them first)", Destination: &opts.AllowStorage},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return cmdutil.Usagef("profile import takes one CONFIG argument (or - to read it from standard input)")
			}
			if err := cmdutil.CheckGivenName(c, opts.Name); err != nil {
				return err
			}
			opts.Config = c.Args().First()
			return runImport(c.Context, opts)
		},
	}
}

func runImport(ctx context.Context, opts *importOptions) error {
	raw := opts.Config
	if raw == "-" {
		var err error
		if raw, err = cmdutil.ReadStdin(opts.f.IO.In, 1<<20, "the config"); err != nil {
			return err
		}
	}
	imp, err := profiles.DecodeImport(raw)
	if err != nil {
		if isFile(opts.Config) {
			return cmdutil.Usagef("%q is a file, but profile import takes the config itself; to read it from the file run `ksm profile import - < %q`", opts.Config, opts.Config)
		}
		return err
	}
	incoming, err := importedProfiles(opts, imp)
	if err != nil {
		return err
	}
	if err := checkStores(opts, incoming); err != nil {
		return err
	}
	path := opts.OutputFile
	if path == "" {
		path = opts.f.Ini().WritePath()
	}
	activated := ""
	warnKeeperCLI(opts.f, path, incoming...)
	_, err = opts.f.Ini().UpdateAt(ctx, path, func(b *profiles.Book) error {
		var clash []string
		for _, p := range incoming {
			if b.Has(p.Name) {
				clash = append(clash, p.Name)
			}
		}
		if len(clash) > 0 && !opts.Force {
			return fmt.Errorf("profile %s already exists in %s; use --force to replace it or -p to import under another name", strings.Join(clash, ", "), path)
		}
		for _, p := range incoming {
			if err := b.Put(p); err != nil {
				return err
			}
		}
		if b.Active() == "" || !b.Has(b.Active()) {
			active := incoming[0].Name
			for _, p := range incoming {
				if p.Name == imp.Active {
					active = p.Name
				}
			}
			activated = active
			return b.SetActive(active)
		}
		return nil
	})
	if err != nil {
		return err
	}
	names := make([]string, len(incoming))
	for i, p := range incoming {
		names[i] = p.Name
	}
	if len(names) == 1 {
		fmt.Fprintf(opts.f.IO.ErrOut, "Imported config saved to profile %s at %s.\n", names[0], path)
	} else {
		fmt.Fprintf(opts.f.IO.ErrOut, "Imported configs saved to profiles %s at %s.\n", strings.Join(names, ", "), path)
	}
	if activated != "" {
		fmt.Fprintf(opts.f.IO.ErrOut, "Profile %s is now the active profile.\n", activated)
	}
	return nil
}

// checkStores applies the import rule: an imported profile that keeps its
// config in a store is obeyed like the user's own (its address, paths and
// files decide where ksm sends tokens and reads secrets), so it comes in
// only with --allow-storage, and then with where it points shown.
func checkStores(opts *importOptions, incoming []*profiles.Profile) error {
	var external []*profiles.Profile
	for _, p := range incoming {
		if p.External() {
			external = append(external, p)
		}
	}
	if len(external) == 0 {
		return nil
	}
	if !opts.AllowStorage {
		described := make([]string, len(external))
		for i, p := range external {
			described[i] = describeStore(p)
		}
		return fmt.Errorf("the keeper.ini to import keeps profile configs in stores, whose settings choose where ksm sends your credentials (%s); check them and pass --allow-storage to import them", strings.Join(described, "; "))
	}
	for _, p := range external {
		fmt.Fprintf(opts.f.IO.ErrOut, "Importing %s.\n", describeStore(p))
	}
	return nil
}

// describeStore says, escaped, which store a profile uses and every
// setting that says where: store settings hold no secret.
func describeStore(p *profiles.Profile) string {
	keys := make([]string, 0, len(p.Settings))
	for k := range p.Settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = safetext.Escape(k) + " = " + safetext.Escape(p.Settings[k])
	}
	return fmt.Sprintf("profile %s in the %s store (%s)", p.Name, safetext.Escape(p.Storage), strings.Join(parts, ", "))
}

// importedProfiles names what is to be written: an SDK JSON config becomes
// one profile; a keeper.ini keeps its names unless -p renames its only one.
func importedProfiles(opts *importOptions, imp *profiles.Imported) ([]*profiles.Profile, error) {
	if imp.Config != nil {
		name := opts.Name
		if name == "" {
			name = opts.f.Profile
		}
		if name == "" {
			name = profiles.DefaultName
		}
		if err := profiles.ValidateName(name); err != nil {
			return nil, cmdutil.Usagef("%v", err)
		}
		return []*profiles.Profile{{Name: name, Config: imp.Config}}, nil
	}
	if opts.Name != "" {
		if len(imp.Profiles) != 1 {
			return nil, cmdutil.Usagef("-p renames a single profile, but the keeper.ini to import holds %d; import without -p", len(imp.Profiles))
		}
		if err := profiles.ValidateName(opts.Name); err != nil {
			return nil, cmdutil.Usagef("%v", err)
		}
		if imp.Active == imp.Profiles[0].Name {
			imp.Active = opts.Name
		}
		imp.Profiles[0].Name = opts.Name
	}
	return imp.Profiles, nil
}

// isFile reports whether arg names an existing file: the usual mistake of
// passing the file `ksm profile export` was saved to instead of its content.
func isFile(arg string) bool {
	if arg == "-" {
		return false
	}
	fi, err := os.Stat(arg)
	return err == nil && !fi.IsDir()
}
