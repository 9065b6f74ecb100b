// Package envtoken redeems KSM_TOKEN, the one-time token a container may
// be started with, into a profile saved in keeper.ini. Only the commands
// that use a profile ask for it, before they read keeper.ini.
package envtoken

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/keeper"
	"github.com/ksm-cli/ksm/cli/internal/keeperini"
	"github.com/ksm-cli/ksm/cli/internal/profiles"
	"github.com/ksm-cli/ksm/shared"
)

// The variables of a token redeemed at start.
const (
	EnvToken    = "KSM_TOKEN"    // a one-time token to redeem once
	EnvHostname = "KSM_HOSTNAME" // KSM_TOKEN's region or host
)

// DefaultRegion is the region used when neither a token prefix nor a
// hostname names one (Keeper's default).
const DefaultRegion = "US"

// errRedeemed: another ksm process saved KSM_TOKEN's profile while this
// one waited for the lock; nothing to write.
var errRedeemed = errors.New("KSM_TOKEN already redeemed")

// Redeem binds KSM_TOKEN and saves the config as a profile at the write
// location, when KSM_TOKEN is set and the profiles would otherwise come
// from a keeper.ini that does not exist: --ini-file, the container
// variables (KSM_CONFIG...) and a keeper.ini found all win over it, so
// later runs find the saved profile and never redeem again (Keeper's CLI
// redeems on every run, which fails from the second on).
//
// It binds under the keeper.ini lock and only if the profile is still
// missing, so processes started together redeem it once.
func Redeem(ctx context.Context, f *cmdutil.Factory) error {
	ini := f.Ini()
	if f.Getenv(EnvToken) == "" || ini.IniFile != "" || ini.InMemory() {
		return nil
	}
	if path, found := ini.ReadPath(); found {
		f.Log.Debug("keeper.ini found; KSM_TOKEN not redeemed", "path", path)
		return nil
	}
	tok, err := keeper.ParseToken(f.Getenv(EnvToken))
	if err != nil {
		return fmt.Errorf("environment variable %s is not a usable one-time token: %w", EnvToken, err)
	}
	name, err := keeperini.ProfileFromEnv(f.Getenv)
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
	path := ini.Env.WritePath()
	bound := false
	_, err = ini.UpdateAt(ctx, path, func(b *profiles.Book) error {
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
