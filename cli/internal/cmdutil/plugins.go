package cmdutil

import (
	"context"
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
	configDir := pluginhost.ConfigDir(f.Getenv, runtime.GOOS)
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
	settings, err := s.Validate(ctx, req.Options)
	if err != nil {
		return nil, err
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
