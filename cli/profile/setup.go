package profile

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/envtoken"
	"github.com/ksm-cli/ksm/cli/internal/pluginhost"
	"github.com/ksm-cli/ksm/cli/internal/profiles"
	"github.com/ksm-cli/ksm/cli/internal/stores"
	"github.com/ksm-cli/ksm/internal/safetext"
	"github.com/ksm-cli/ksm/internal/setupflags"
	"github.com/ksm-cli/ksm/shared"
)

type setupOptions struct {
	f *cmdutil.Factory
	setupflags.Setup
	// Options are the store's own options as given (flag name → value).
	Options map[string]string
}

const setupDescription = `Creates a profile whose config lives in an external store, served by the
storage plugin ksm-storage-TYPE. The store's own options become flags of
this command: "ksm profile setup --type=TYPE --help" lists them. ksm checks
the options, loads the config once through the plugin to prove access, then
writes "storage = TYPE" and the store's settings (never Keeper keys) to
keeper.ini. With --from-profile, an existing profile's config is first
saved into the store (for stores that can save).

Options marked sensitive can come from their environment variable, or from
standard input with the value "-".

Examples:
   ksm profile setup --type=file -p k8s --path /run/secrets/ksm-config
   ksm profile setup --type=file -p moved --path ~/.ksm/prod.json --from-profile prod
   ksm profile setup --type=aws -p cloud --secret ksm-config --credentials ec2instance
   ksm profile setup --type=keyring -p desk --item ksm-cli-profile-desk --from-profile local
   ksm profile setup --type=aws --help`

// The setup command parses its flags in two steps: urfave/cli only sees the
// store's options once the plugin named by --type has described them, so
// the first step skips parsing and the second runs a command built from
// the description on the same arguments.
func newSetupCommand(f *cmdutil.Factory) *cli.Command {
	return &cli.Command{
		Name:            "setup",
		Usage:           "Create a profile whose config lives in an external store (--type=TYPE)",
		UsageText:       "ksm profile setup --type=TYPE (-t TYPE) [-p NAME] [--from-profile NAME] [--force] [store options]",
		Description:     setupDescription,
		SkipFlagParsing: true,
		// Not parsed here (see runSetupCommand), but listed for completion.
		Flags: setupflags.SetupFlags(&setupflags.Setup{}),
		Action: func(c *cli.Context) error {
			return runSetupCommand(c.Context, f, c.Args().Slice())
		},
	}
}

func runSetupCommand(ctx context.Context, f *cmdutil.Factory, args []string) error {
	opts := &setupOptions{f: f}
	opts.Type = findTypeArg(args)
	var session *pluginhost.Session
	var storeFlags []cli.Flag
	description := setupDescription + installedTypes(f)
	switch {
	case opts.Type != "" && wantsHelp(args):
		// Help never starts or pins a plugin that is not trusted: it
		// shows the store's options only for a trusted one.
		desc, err := helpDescription(ctx, f, opts.Type)
		if err != nil {
			description += "\n\n" + safetext.Escape(err.Error())
		} else {
			storeFlags = optionFlags(desc)
		}
	case opts.Type != "":
		var err error
		session, err = f.PluginHost().Open(ctx, opts.Type, true)
		if err != nil {
			return err
		}
		defer session.Close()
		storeFlags = optionFlags(session.Desc)
	}
	cmd := &cli.App{
		Name:            "ksm profile setup",
		HelpName:        "ksm profile setup",
		Usage:           "Create a profile whose config lives in an external store",
		UsageText:       "ksm profile setup --type=TYPE (-t TYPE) [-p NAME] [--from-profile NAME] [--force] [store options]",
		Description:     description,
		Reader:          f.IO.In,
		Writer:          f.IO.Out,
		ErrWriter:       f.IO.ErrOut,
		HideHelpCommand: true,
		// This app is one command: its flags are not "global".
		CustomAppHelpTemplate: strings.ReplaceAll(cli.AppHelpTemplate, "GLOBAL OPTIONS", "OPTIONS"),
		HideVersion:           true,
		ExitErrHandler:        func(*cli.Context, error) {},
		OnUsageError:          func(_ *cli.Context, err error, _ bool) error { return &cmdutil.UsageError{Err: err} },
		Flags:                 append(setupflags.SetupFlags(&opts.Setup), storeFlags...),
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return cmdutil.Usagef("profile setup takes no arguments, got %q; store options are flags", c.Args().First())
			}
			if err := cmdutil.CheckGivenName(c, opts.Name); err != nil {
				return err
			}
			if session == nil {
				return cmdutil.Usagef("profile setup needs --type=TYPE%s", strings.ReplaceAll(installedTypes(f), "\n\nInstalled store types: ", "; installed: "))
			}
			var err error
			if opts.Options, err = optionValues(c, session.Desc, f.IO.In); err != nil {
				return err
			}
			return runSetup(c.Context, opts, session)
		},
	}
	return cmd.RunContext(ctx, append([]string{"ksm profile setup"}, args...))
}

// setupFlags are setup's own flags; the store's options are added to them.

func runSetup(ctx context.Context, opts *setupOptions, s *pluginhost.Session) error {
	f := opts.f
	name := opts.Name
	if name == "" {
		name = f.Profile
	}
	if name == "" {
		name = profiles.DefaultName
	}
	if err := profiles.ValidateName(name); err != nil {
		return cmdutil.Usagef("%v", err)
	}
	// Refuse a clash before touching the store.
	if src, err := f.Ini().Read(); err == nil && src.Book.Has(name) && !opts.Force {
		return fmt.Errorf("profile %s already exists in %s; use --force to replace it or -p to choose another name", name, src.Path)
	}
	settings, err := s.Validate(ctx, opts.Options)
	if err != nil {
		return err
	}
	if opts.FromProfile != "" {
		if err := saveFrom(ctx, opts, s, settings); err != nil {
			return err
		}
	}
	if _, err := s.Load(ctx, settings); err != nil {
		return err
	}
	warnKeeperCLI(f, f.Ini().WritePath(), &profiles.Profile{Name: name, Storage: opts.Type})
	path, err := f.Ini().Update(ctx, func(b *profiles.Book) error {
		if b.Has(name) && !opts.Force {
			return fmt.Errorf("profile %s already exists; use --force to replace it", name)
		}
		if err := b.Put(&profiles.Profile{Name: name, Storage: opts.Type, Settings: settings}); err != nil {
			return err
		}
		if b.Active() == "" || !b.Has(b.Active()) {
			return b.SetActive(name)
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "Profile %s set up with the %s store at %s (config loaded from the store).\n", name, opts.Type, path)
	return nil
}

// saveFrom copies an existing profile's config into the store.
func saveFrom(ctx context.Context, opts *setupOptions, s *pluginhost.Session, settings shared.Settings) error {
	if !s.Desc.CanSave {
		return fmt.Errorf("the %s store cannot save configs, so --from-profile cannot be used with it", opts.Type)
	}
	if err := envtoken.Redeem(ctx, opts.f); err != nil {
		return err
	}
	src, err := opts.f.Ini().Read()
	if err != nil {
		return err
	}
	p, err := src.Book.Get(opts.FromProfile)
	if err != nil {
		return err
	}
	cfg, err := stores.Config(ctx, opts.f.PluginHost, p)
	if err != nil {
		return err
	}
	if err := s.Save(ctx, shared.SaveRequest{Settings: settings, Config: cfg, Overwrite: opts.Force}); err != nil {
		return err
	}
	fmt.Fprintf(opts.f.IO.ErrOut, "Saved the config of profile %s into the %s store.\n", opts.FromProfile, opts.Type)
	return nil
}

// wantsHelp: -h or --help among unparsed arguments.
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "--help", "-help":
			return true
		}
	}
	return false
}

// helpDescription is a trusted plugin's description for --help; for a
// plugin not trusted it says how to trust it, and runs nothing.
func helpDescription(ctx context.Context, f *cmdutil.Factory, typ string) (*shared.Description, error) {
	h := f.PluginHost()
	p, err := h.Find(typ)
	if err != nil {
		return nil, err
	}
	if _, _, err := h.Status(p); err != nil {
		return nil, fmt.Errorf("the options of the %s store are not shown, because %v", typ, err)
	}
	return h.Description(ctx, p)
}

// findTypeArg picks --type's (-t's) value out of unparsed arguments.
func findTypeArg(args []string) string {
	for i, a := range args {
		if a == "--" {
			break
		}
		for _, prefix := range []string{"--type=", "-type=", "-t="} {
			if v, ok := strings.CutPrefix(a, prefix); ok {
				return v
			}
		}
		if (a == "--type" || a == "-type" || a == "-t") && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// maxUsageRunes bounds a store option's help line.
const maxUsageRunes = 300

// optionFlags turns a store's declared options into urfave/cli flags.
func optionFlags(d *shared.Description) []cli.Flag {
	var flags []cli.Flag
	for _, o := range d.Options {
		// The plugin's words, escaped: its help cannot drive the terminal.
		usage := safetext.Line(o.Usage, maxUsageRunes)
		if o.Type == shared.OptionEnum {
			usage += " (" + safetext.Escape(strings.Join(o.Allowed, ", ")) + ")"
		}
		if o.Sensitive {
			usage += " [sensitive: prefer the environment variable, or \"-\" to read standard input]"
		}
		if o.Required {
			usage += " (required)"
		}
		var aliases []string
		if o.Short != "" { // checked by Description.Check: one letter, not reserved
			aliases = []string{o.Short}
		}
		switch o.Type {
		case shared.OptionBool:
			flags = append(flags, &cli.BoolFlag{Name: o.Name, Aliases: aliases, Usage: usage, EnvVars: o.EnvVars, Value: o.Default == "true", Category: "Store options"})
		default:
			flags = append(flags, &cli.StringFlag{Name: o.Name, Aliases: aliases, Usage: usage, EnvVars: o.EnvVars, Value: o.Default,
				DefaultText: defaultText(o), Category: "Store options"})
		}
	}
	return flags
}

func defaultText(o shared.Option) string {
	if o.Sensitive && o.Default != "" {
		return "(hidden)"
	}
	return ""
}

// optionValues collects the store options that were given or have a
// default, checks enum values, and reads "-" values from stdin.
func optionValues(c *cli.Context, d *shared.Description, stdin io.Reader) (map[string]string, error) {
	if err := requireOptions(c, d); err != nil {
		return nil, err
	}
	values := map[string]string{}
	readStdin := false
	for _, o := range d.Options {
		if !c.IsSet(o.Name) && o.Default == "" {
			continue
		}
		v := c.String(o.Name)
		if o.Type == shared.OptionBool {
			v = fmt.Sprint(c.Bool(o.Name))
		}
		if o.Type == shared.OptionEnum && !slices.Contains(o.Allowed, v) {
			return nil, cmdutil.Usagef("--%s must be one of %s, not %q", o.Name, strings.Join(o.Allowed, ", "), v)
		}
		if v == "-" && o.Type == shared.OptionString {
			if readStdin {
				return nil, cmdutil.Usagef("only one option can be read from standard input")
			}
			readStdin = true
			b, err := cmdutil.ReadStdin(stdin, 1<<16, "--"+o.Name)
			if err != nil {
				return nil, err
			}
			v = strings.TrimRight(b, "\r\n")
		}
		values[o.Name] = v
	}
	return values, nil
}

// requireOptions names every required store option that was not given,
// on one line (urfave/cli's own check would print the whole help first).
func requireOptions(c *cli.Context, d *shared.Description) error {
	var missing []string
	for _, o := range d.Options {
		if o.Required && o.Default == "" && !c.IsSet(o.Name) {
			missing = append(missing, "--"+o.Name)
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return cmdutil.Usagef("missing required option %s; see `ksm profile setup --type=%s --help`", missing[0], d.Name)
	}
	return cmdutil.Usagef("missing required options %s; see `ksm profile setup --type=%s --help`", strings.Join(missing, ", "), d.Name)
}

func installedTypes(f *cmdutil.Factory) string {
	var types []string
	for _, p := range f.PluginHost().Discover() {
		if p.ShadowedBy == "" {
			types = append(types, p.Type)
		}
	}
	if len(types) == 0 {
		return "\n\nNo store plugins are installed (see `ksm plugin list`)."
	}
	sort.Strings(types)
	return "\n\nInstalled store types: " + strings.Join(types, ", ")
}
