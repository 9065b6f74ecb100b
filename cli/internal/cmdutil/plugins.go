package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/ksm-cli/ksm/cli/internal/pluginhost"
	"github.com/ksm-cli/ksm/cli/internal/profiles"
	"github.com/ksm-cli/ksm/shared"
)

// PluginSettings describe where plugins come from; they cost nothing until
// a command needs a plugin.
type PluginSettings struct {
	// Bundled maps a store type to the SHA-256 of the plugin built with ksm.
	Bundled map[string]string
	// StartTimeout bounds a plugin's start-up.
	StartTimeout time.Duration
	// CallTimeout bounds each plugin call (--timeout).
	CallTimeout time.Duration
}

// PluginHost returns the plugin host, built on first use.
func (f *Factory) PluginHost() *pluginhost.Host {
	if f.host != nil {
		return f.host
	}
	exeDir := ""
	if exe, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		exeDir = filepath.Dir(exe)
	}
	configDir := f.userConfigDir()
	trust := &pluginhost.TrustStore{}
	if configDir != "" {
		trust.Path = filepath.Join(configDir, "ksm", "trusted-plugins.json")
	}
	f.host = &pluginhost.Host{
		Dirs:         pluginhost.Dirs(f.Getenv, exeDir, configDir),
		ExeDir:       exeDir,
		Bundled:      f.Plugins.Bundled,
		Trust:        trust,
		Log:          f.Log.Named("plugin"),
		StartTimeout: f.Plugins.StartTimeout,
		CallTimeout:  f.Plugins.CallTimeout,
		Notices:      f.IO.ErrOut,
		Getenv:       f.Getenv,
	}
	return f.host
}

func (f *Factory) userConfigDir() string {
	return pluginhost.ConfigDir(f.Getenv, runtime.GOOS)
}

// UserPluginDir is the user's own plugin directory, searched after the
// directory of ksm (unless KSM_PLUGIN_PATH is set), where `ksm plugin
// install` puts plugins.
func (f *Factory) UserPluginDir() (string, error) {
	// pluginhost.Dirs owns the layout: with no KSM_PLUGIN_PATH and no
	// executable directory, it returns just the user's directory.
	dirs := pluginhost.Dirs(func(string) string { return "" }, "", f.userConfigDir())
	if len(dirs) == 0 {
		return "", errors.New("no user config directory: set HOME or XDG_CONFIG_HOME (an absolute path)")
	}
	return dirs[0], nil
}

// LoadFromStore loads an external profile's config through its plugin:
// only that plugin, only now, stopped before returning.
func (f *Factory) LoadFromStore(ctx context.Context, p *profiles.Profile) (shared.Config, error) {
	s, err := f.PluginHost().Open(ctx, p.Storage, false)
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

// InitIntoStore is `profile init --storage`: the store checks its options
// before the token is redeemed, so a typo does not use the token up, and
// the config goes straight into the store, never to local disk.
func (f *Factory) InitIntoStore(ctx context.Context, req StoreInitRequest) (shared.Settings, error) {
	s, err := f.PluginHost().Open(ctx, req.Type, true)
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
			return nil, Usagef("missing required store option %s: pass --store-option %s=VALUE (see `ksm profile setup --type=%s --help`)", o.Name, o.Name, req.Type)
		}
	}
	settings, err := s.Validate(ctx, req.Options)
	if err != nil {
		return nil, err
	}
	if !req.Overwrite {
		if err := f.checkStoreFree(ctx, s, req.Type, settings); err != nil {
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
func (f *Factory) checkStoreFree(ctx context.Context, s *pluginhost.Session, typ string, settings shared.Settings) error {
	_, err := s.Load(ctx, settings)
	switch {
	case err == nil:
		return fmt.Errorf("the %s store already holds a config there; use --force to replace it, or other --store-option values (the token was not used)", typ)
	case shared.CodeOf(err) == shared.CodeNotFound:
		return nil
	}
	return fmt.Errorf("%w (the token was not used)", err)
}
