package profile

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/envtoken"
	"github.com/ksm-cli/ksm/cli/internal/keeper"
	"github.com/ksm-cli/ksm/cli/internal/profiles"
	"github.com/ksm-cli/ksm/cli/internal/stores"
	"github.com/ksm-cli/ksm/shared"
)

// envCLIToken is where init finds its token when neither --token nor an
// argument gives it (Keeper's CLI reads the same variable).
const envCLIToken = "KSM_CLI_TOKEN"

type initOptions struct {
	f               *cmdutil.Factory
	Token           string // --token
	Args            []string
	Hostname        string
	Name            string
	Force           bool
	ServerPublicKey string // refused: see keeper.ErrServerKeyUnsupported
	Storage         string
	StoreOptions    storeOptions
	// initStore is the store's part of --storage (a fake in tests); nil
	// makes --storage fail clearly.
	initStore stores.InitFunc
}

func newInitCommand(f *cmdutil.Factory) *cli.Command {
	opts := &initOptions{f: f, initStore: stores.Initializer(f.PluginHost)}
	return &cli.Command{
		Name:      "init",
		Usage:     "Redeem a one-time access token and save the config as a profile",
		ArgsUsage: "[TOKEN|-]",
		Description: `Redeems a one-time access token (REGION:TOKEN, e.g. US:XXXX) with Keeper for a
client-device config and saves it as a profile. The token comes from --token,
the TOKEN argument, or $KSM_CLI_TOKEN; "-" reads it from standard input, which
keeps it out of the process list. A REGION: prefix (US, EU, AU, GOV, US_GOV, JP,
CA or a host name) wins over --hostname. The first profile becomes active; an
existing profile is kept unless --force. Nothing is written if Keeper refuses
the token.

Examples:
   ksm profile init --token US:XXXX
   ksm profile init -p prod - < token.txt
   KSM_CLI_TOKEN=EU:XXXX ksm profile init -p eu
   ksm profile init -h keeper.example.com:8443 --token XXXX`,
		// -h is --hostname, as in Keeper's CLI; --help stays.
		HideHelp: true,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "help", Usage: "show help"},
			&cli.StringFlag{Name: "token", Aliases: []string{"t"}, Usage: "the one-time access token, REGION:TOKEN (- reads it from standard input; default: $KSM_CLI_TOKEN)", Destination: &opts.Token},
			&cli.StringFlag{Name: "hostname", Aliases: []string{"h"}, Usage: "region code or host[:port] when the token has no REGION: prefix (default: $KSM_HOSTNAME, else US)", Destination: &opts.Hostname},
			&cli.StringFlag{Name: "profile-name", Aliases: []string{"p"}, Usage: "profile to create (default: $KSM_CLI_PROFILE or _default)", Destination: &opts.Name},
			&cli.BoolFlag{Name: "force", Usage: "replace a profile that already exists", Destination: &opts.Force},
			// Hidden and refused: Keeper's SDK cannot use a custom server key.
			&cli.StringFlag{Name: "server-public-key", Hidden: true, Destination: &opts.ServerPublicKey},
			&cli.StringFlag{Name: "storage", Aliases: []string{"type"}, Usage: "keep the config in this external store instead of keeper.ini", Destination: &opts.Storage},
			&cli.GenericFlag{Name: "store-option", Usage: "a store option NAME=VALUE for --storage (repeatable)", Value: &opts.StoreOptions},
		},
		Action: func(c *cli.Context) error {
			if err := cmdutil.CheckGivenName(c, opts.Name); err != nil {
				return err
			}
			opts.Args = c.Args().Slice()
			return runInit(c.Context, opts)
		},
	}
}

func runInit(ctx context.Context, opts *initOptions) error {
	f := opts.f
	if opts.Storage != "" && opts.initStore == nil {
		return fmt.Errorf("--storage %s is not available in this build: initialising into an external store needs its plugin; run `ksm profile init` without --storage, or `ksm profile setup`", opts.Storage)
	}
	if opts.Storage == "" && len(opts.StoreOptions.raw) > 0 {
		return cmdutil.Usagef("--store-option needs --storage TYPE")
	}
	options, err := opts.StoreOptions.parse()
	if err != nil {
		return err
	}
	if opts.ServerPublicKey != "" {
		return keeper.ErrServerKeyUnsupported
	}
	raw, err := initToken(opts)
	if err != nil {
		return err
	}
	tok, err := keeper.ParseToken(raw)
	if err != nil {
		return err
	}
	host := strings.TrimSpace(opts.Hostname)
	if host == "" {
		host = strings.TrimSpace(f.Getenv(envtoken.EnvHostname))
	}
	if host == "" {
		host = envtoken.DefaultRegion
	}
	if tok.Host != "" {
		host = tok.Host // the token's own region wins, as in Keeper's CLI
	} else if _, err := keeper.ResolveHost(host); err != nil {
		return err
	}
	name, err := initName(opts)
	if err != nil {
		return err
	}

	// redeem binds the token at most once; bound records that Keeper has
	// used it up, which failure messages must then say.
	attempted, bound := false, false
	redeem := func(ctx context.Context) (shared.Config, error) {
		if attempted {
			return nil, errors.New("the one-time token was already redeemed by this command")
		}
		attempted = true
		ctx, cancel := f.KeeperContext(ctx)
		defer cancel()
		cfg, err := f.KeeperClient().Bind(ctx, host, tok)
		if err != nil {
			return nil, err
		}
		bound = true
		return shared.Config(cfg.Map()), nil
	}

	// The token is redeemed under the keeper.ini lock, after the checks
	// that can fail without Keeper: a kept profile, a malformed or
	// unwritable keeper.ini. Such a failure leaves the token unused.
	path := f.Ini().WritePath()
	warnKeeperCLI(f, path, &profiles.Profile{Name: name, Storage: opts.Storage})
	_, err = f.Ini().UpdateAt(ctx, path, func(b *profiles.Book) error {
		if b.Has(name) && !opts.Force {
			return fmt.Errorf("profile %s already exists in %s and was kept; the token was not used: pass --force to replace the profile or -p to choose another name", name, path)
		}
		p := &profiles.Profile{Name: name}
		if opts.Storage == "" {
			cfg, err := redeem(ctx)
			if err != nil {
				return err
			}
			p.Config = cfg
		} else {
			settings, err := opts.initStore(ctx, stores.InitRequest{
				Type: opts.Storage, Profile: name, Options: options, Overwrite: opts.Force, Redeem: redeem,
			})
			if err != nil {
				return err
			}
			if !bound {
				return fmt.Errorf("the %s store did not redeem the token; nothing was saved", opts.Storage)
			}
			p.Storage, p.Settings = opts.Storage, settings
		}
		if err := b.Put(p); err != nil {
			return err
		}
		if b.Active() == "" || !b.Has(b.Active()) {
			return b.SetActive(name)
		}
		return nil
	})
	if err != nil {
		if bound {
			return fmt.Errorf("%w; the one-time token is now used up: create a new one to try again", err)
		}
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "Added profile %s to INI config file located at %s\n", name, path)
	return nil
}

// initToken picks the token: --token or the argument (not both), else
// $KSM_CLI_TOKEN; "-" reads it from standard input.
func initToken(opts *initOptions) (string, error) {
	if len(opts.Args) > 1 {
		return "", cmdutil.Usagef("profile init takes at most one TOKEN argument")
	}
	raw := opts.Token
	if len(opts.Args) == 1 {
		if raw != "" {
			return "", cmdutil.Usagef("give the token once: --token or a TOKEN argument, not both")
		}
		raw = opts.Args[0]
	}
	if raw == "" {
		raw = opts.f.Getenv(envCLIToken)
	}
	if strings.TrimSpace(raw) == "" {
		return "", cmdutil.Usagef("profile init needs a one-time access token: pass --token, a TOKEN argument or - to read it from standard input, or set %s", envCLIToken)
	}
	if strings.TrimSpace(raw) != "-" {
		return raw, nil
	}
	line, err := bufio.NewReader(io.LimitReader(opts.f.IO.In, 4097)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("cannot read the token from standard input: %w", err)
	}
	if len(line) > 4096 {
		return "", errors.New("the token on standard input is too large (more than 4 KiB); check what is piped in")
	}
	if strings.TrimSpace(line) == "" {
		return "", errors.New("no token on standard input")
	}
	return line, nil
}

// initName is -p, else --profile / $KSM_CLI_PROFILE, else _default.
func initName(opts *initOptions) (string, error) {
	name := opts.Name
	if name == "" {
		name = opts.f.Profile
	}
	if name == "" {
		name = profiles.DefaultName
	}
	if err := profiles.ValidateName(name); err != nil {
		return "", cmdutil.Usagef("%v", err)
	}
	return name, nil
}

// storeOptions collects --store-option NAME=VALUE. Set never fails, so a
// malformed value (which may hold a secret) is not echoed by the flag
// parser; parse reports it by position instead.
type storeOptions struct{ raw []string }

func (o *storeOptions) Set(s string) error { o.raw = append(o.raw, s); return nil }

func (o *storeOptions) String() string { return "" }

func (o *storeOptions) parse() (map[string]string, error) {
	m := map[string]string{}
	for i, kv := range o.raw {
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, cmdutil.Usagef("--store-option #%d is not NAME=VALUE", i+1)
		}
		if _, dup := m[k]; dup {
			return nil, cmdutil.Usagef("--store-option %s is given twice", k)
		}
		m[k] = v
	}
	return m, nil
}
