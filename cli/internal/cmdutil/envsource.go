package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ksm-cli/ksm/cli/internal/inifile"
	"github.com/ksm-cli/ksm/cli/internal/keeper"
	"github.com/ksm-cli/ksm/cli/internal/profiles"
	"github.com/ksm-cli/ksm/shared"
)

// The container variables Keeper's CLI reads at start, and ours.
const (
	EnvConfig           = "KSM_CONFIG"              // one config, base64 or raw JSON
	EnvConfigBase64     = "KSM_CONFIG_BASE64_"      // + n: one config per n, from 1
	EnvConfigBase64Desc = "KSM_CONFIG_BASE64_DESC_" // + n: that config's profile name
	EnvToken            = "KSM_TOKEN"               // a one-time token to redeem once
	EnvHostname         = "KSM_HOSTNAME"            // KSM_TOKEN's region or host
	EnvProfile          = "KSM_CLI_PROFILE"         // the in-memory or redeemed profile's name
	// EnvServerPublicKey once gave a private deployment's server key. It is
	// ignored now: Keeper's SDK encrypts only to Keeper's published keys
	// (see keeper.ErrServerKeyUnsupported).
	EnvServerPublicKey = "KSM_SERVER_PUBLIC_KEY"
)

// DefaultRegion is the region used when neither a token prefix nor a
// hostname names one (Keeper's default).
const DefaultRegion = "US"

const defaultTimeout = 30 * time.Second

// ReadContext loads the profiles a command works on, from the first of:
//
//  1. --ini-file;
//  2. KSM_CONFIG: one in-memory profile (KSM_CLI_PROFILE, else _default);
//  3. KSM_CONFIG_BASE64_1..n: in-memory profiles named by
//     KSM_CONFIG_BASE64_DESC_n, else App<n>; the first is active;
//  4. the keeper.ini search;
//  5. KSM_TOKEN: redeemed once into a profile saved at the write location,
//     which step 4 finds on every later run (Keeper's CLI redeems it on
//     every run, which fails from the second on).
//
// In-memory profiles are read-only; commands that write still write to
// keeper.ini.
func (f *Factory) ReadContext(ctx context.Context) (*Source, error) {
	if f.IniFile != "" {
		return f.readIni()
	}
	src, err := envProfiles(f.Getenv)
	if err != nil {
		return nil, err
	}
	if src != nil {
		f.Log.Debug("using in-memory profiles", "from", src.Env)
		return src, nil
	}
	if f.Getenv(EnvToken) != "" {
		if path, found := f.ReadPath(); found {
			f.Log.Debug("keeper.ini found; KSM_TOKEN not redeemed", "path", path)
		} else if err := f.redeemEnvToken(ctx); err != nil {
			return nil, err
		}
	}
	return f.readIni()
}

// envProfiles builds the in-memory profiles of KSM_CONFIG or
// KSM_CONFIG_BASE64_n; nil when neither is set. Errors name the variable,
// never its value.
func envProfiles(getenv func(string) string) (*Source, error) {
	if v := getenv(EnvConfig); v != "" {
		name, err := envProfileName(getenv)
		if err != nil {
			return nil, err
		}
		cfg, err := parseEnvConfig(EnvConfig, v)
		if err != nil {
			return nil, err
		}
		book, err := inMemoryBook([]*profiles.Profile{{Name: name, Config: cfg}})
		if err != nil {
			return nil, err
		}
		return &Source{Book: book, Env: EnvConfig}, nil
	}
	var list []*profiles.Profile
	byName := map[string]string{}
	// Numbering starts at 1 and stops at the first gap, as in Keeper's CLI.
	for n := 1; ; n++ {
		key := fmt.Sprintf("%s%d", EnvConfigBase64, n)
		v := getenv(key)
		if v == "" {
			break
		}
		descKey := fmt.Sprintf("%s%d", EnvConfigBase64Desc, n)
		name := strings.TrimSpace(getenv(descKey))
		if name == "" {
			name = fmt.Sprintf("App%d", n)
		} else if err := profiles.ValidateName(name); err != nil {
			return nil, fmt.Errorf("environment variable %s: %w", descKey, err)
		}
		if prev, dup := byName[name]; dup {
			return nil, fmt.Errorf("%s and %s both give profile name %s; give each config its own %sN", prev, key, name, EnvConfigBase64Desc)
		}
		byName[name] = key
		cfg, err := parseEnvConfig(key, v)
		if err != nil {
			return nil, err
		}
		list = append(list, &profiles.Profile{Name: name, Config: cfg})
	}
	if len(list) == 0 {
		return nil, nil
	}
	book, err := inMemoryBook(list)
	if err != nil {
		return nil, err
	}
	return &Source{Book: book, Env: EnvConfigBase64 + "1"}, nil
}

// envProfileName is KSM_CLI_PROFILE, else _default.
func envProfileName(getenv func(string) string) (string, error) {
	name := strings.TrimSpace(getenv(EnvProfile))
	if name == "" {
		return profiles.DefaultName, nil
	}
	if err := profiles.ValidateName(name); err != nil {
		return "", fmt.Errorf("environment variable %s: %w", EnvProfile, err)
	}
	return name, nil
}

// parseEnvConfig reads SDK JSON (raw or base64), or what `ksm profile
// export` prints by default: base64 of a keeper.ini holding one profile.
func parseEnvConfig(variable, value string) (shared.Config, error) {
	cfg, err := shared.ParseConfig([]byte(value))
	if err == nil {
		return cfg, nil
	}
	// Both decoders' messages name keys only, never values.
	if imp, iniErr := profiles.DecodeImport(value); iniErr == nil && imp.Config == nil {
		switch p := imp.Profiles[0]; {
		case len(imp.Profiles) > 1:
			return nil, fmt.Errorf("environment variable %s holds a keeper.ini with %d profiles; set it to one profile (`ksm profile export NAME`), or give each its own %sN", variable, len(imp.Profiles), EnvConfigBase64)
		case p.External():
			return nil, fmt.Errorf("environment variable %s holds a profile whose config is in the %q store, not the config itself; export a profile kept in keeper.ini", variable, p.Storage)
		default:
			return p.Config, nil
		}
	}
	return nil, fmt.Errorf("environment variable %s does not hold a usable keeper config (%v); set it to what `ksm profile export` prints", variable, err)
}

// inMemoryBook is a keeper.ini that exists only in memory; the first
// profile is active.
func inMemoryBook(list []*profiles.Profile) (*profiles.Book, error) {
	book := profiles.NewBook(inifile.New())
	for _, p := range list {
		if err := book.Put(p); err != nil {
			return nil, err
		}
	}
	return book, book.SetActive(list[0].Name)
}

// errRedeemed: another ksm process saved KSM_TOKEN's profile while this
// one waited for the lock; nothing to write.
var errRedeemed = errors.New("KSM_TOKEN already redeemed")

// redeemEnvToken binds KSM_TOKEN and saves the config as a profile at the
// write location. It binds under the keeper.ini lock and only if the
// profile is still missing, so processes started together redeem it once.
func (f *Factory) redeemEnvToken(ctx context.Context) error {
	tok, err := keeper.ParseToken(f.Getenv(EnvToken))
	if err != nil {
		return fmt.Errorf("environment variable %s is not a usable one-time token: %w", EnvToken, err)
	}
	name, err := envProfileName(f.Getenv)
	if err != nil {
		return err
	}
	host := strings.TrimSpace(f.Getenv(EnvHostname))
	if host == "" {
		host = DefaultRegion
	}
	if tok.Host == "" {
		if _, err := keeper.ResolveHost(host); err != nil {
			return fmt.Errorf("environment variable %s: %w", EnvHostname, err)
		}
	}
	path := f.Env.WritePath()
	bound := false
	_, err = f.UpdateAt(ctx, path, func(b *profiles.Book) error {
		if b.Has(name) {
			return errRedeemed
		}
		bctx, cancel := f.KeeperContext(ctx)
		defer cancel()
		cfg, err := f.KeeperClient().Bind(bctx, host, tok)
		if err != nil {
			return fmt.Errorf("cannot redeem %s: %w", EnvToken, err)
		}
		bound = true
		if err := b.Put(&profiles.Profile{Name: name, Config: shared.Config(cfg.Map())}); err != nil {
			return err
		}
		if b.Active() == "" || !b.Has(b.Active()) {
			return b.SetActive(name)
		}
		return nil
	})
	switch {
	case errors.Is(err, errRedeemed):
		f.Log.Debug("KSM_TOKEN was redeemed by another ksm process", "path", path)
		return nil
	case err != nil && bound:
		return fmt.Errorf("%s was redeemed but its profile could not be saved (%w); the token is now used up: create a new one", EnvToken, err)
	case err != nil:
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "Redeemed %s into profile %s in %s; later runs use that file and do not redeem it again.\n", EnvToken, name, path)
	return nil
}

// KeeperClient returns ksm's door to Keeper (its SDK), logging with --debug.
func (f *Factory) KeeperClient() *keeper.Client {
	return &keeper.Client{HTTPClient: f.HTTPClient, Logger: f.Log.Named("keeper")}
}

// KeeperContext bounds one Keeper exchange (with its retries) by --timeout.
func (f *Factory) KeeperContext(ctx context.Context) (context.Context, context.CancelFunc) {
	d := f.Timeout
	if d <= 0 {
		d = defaultTimeout
	}
	return context.WithTimeout(ctx, d)
}
