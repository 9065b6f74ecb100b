// Package stores is what commands ask of a profile's external store
// through its plugin: the profile's config, and `profile init --storage`.
// Each call starts only that plugin, only then, and stops it before
// returning.
package stores

import (
	"context"
	"fmt"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/pluginhost"
	"github.com/ksm-cli/ksm/cli/internal/profiles"
	"github.com/ksm-cli/ksm/shared"
)

// Config returns a profile's client config: from keeper.ini, or through
// its store's plugin (host is asked for only then).
func Config(ctx context.Context, host func() *pluginhost.Host, p *profiles.Profile) (shared.Config, error) {
	if !p.External() {
		if err := p.Config.Validate(); err != nil {
			return nil, fmt.Errorf("profile %s in keeper.ini: %w; import it again", p.Name, err)
		}
		return p.Config, nil
	}
	s, err := host().Open(ctx, p.Storage, false)
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", p.Name, err)
	}
	defer s.Close()
	cfg, err := s.Load(ctx, p.Settings)
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", p.Name, err)
	}
	return cfg, nil
}

// InitFunc is the store's part of `profile init --storage`: it must
// validate req.Options with the store (returning the settings to keep in
// keeper.ini), only then call req.Redeem once for the config, and save
// that config in the store. The Keeper keys never touch the local disk.
type InitFunc func(ctx context.Context, req InitRequest) (shared.Settings, error)

// InitRequest is what `profile init --storage` asks of the store.
type InitRequest struct {
	Type      string            // the store type, e.g. "aws"
	Profile   string            // the profile being created
	Options   map[string]string // --store-option NAME=VALUE
	Overwrite bool              // --force: replace what the store holds
	// Redeem binds the one-time token; calling it uses the token up.
	Redeem func(ctx context.Context) (shared.Config, error)
}

// Initializer is the InitFunc that runs the store's plugin from host.
func Initializer(host func() *pluginhost.Host) InitFunc {
	return func(ctx context.Context, req InitRequest) (shared.Settings, error) {
		return Init(ctx, host(), req)
	}
}

// Init is `profile init --storage`: the store checks its options before
// the token is redeemed, so a typo does not use the token up, and the
// config goes straight into the store, never to local disk.
func Init(ctx context.Context, host *pluginhost.Host, req InitRequest) (shared.Settings, error) {
	s, err := host.Open(ctx, req.Type, true)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if !s.Desc.CanSave {
		return nil, fmt.Errorf("the %s store cannot save configs, so profile init cannot write into it", req.Type)
	}
	// Named here as init spells it: the store would say "--path is required".
	for _, o := range s.Desc.Options {
		if _, given := req.Options[o.Name]; o.Required && o.Default == "" && !given {
			return nil, cmdutil.Usagef("missing required store option %s: pass --store-option %s=VALUE (see `ksm profile setup --type=%s --help`)", o.Name, o.Name, req.Type)
		}
	}
	settings, err := s.Validate(ctx, req.Options)
	if err != nil {
		return nil, err
	}
	if !req.Overwrite {
		if err := checkStoreFree(ctx, s, req.Type, settings); err != nil {
			return nil, err
		}
	}
	cfg, err := req.Redeem(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.Save(ctx, shared.SaveRequest{Settings: settings, Config: cfg, Overwrite: req.Overwrite}); err != nil {
		return nil, err // init adds that the token is used up
	}
	return settings, nil
}

// checkStoreFree loads from the store before the token is redeemed: a store
// that already holds a config there (another profile's keys), or that
// cannot be reached, stops init while the one-time token is still unused.
func checkStoreFree(ctx context.Context, s *pluginhost.Session, typ string, settings shared.Settings) error {
	_, err := s.Load(ctx, settings)
	switch {
	case err == nil:
		return fmt.Errorf("the %s store already holds a config there; use --force to replace it, or other --store-option values (the token was not used)", typ)
	case shared.CodeOf(err) == shared.CodeNotFound:
		return nil
	}
	return fmt.Errorf("%w (the token was not used)", err)
}
