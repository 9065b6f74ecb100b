package pluginhost

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ksm-cli/ksm/internal/launch"
	"github.com/ksm-cli/ksm/internal/safetext"
	"github.com/ksm-cli/ksm/internal/setupflags"
	"github.com/ksm-cli/ksm/shared"
)

// Session is a running plugin with its description: the one way the host
// calls a plugin. Each call is bounded by --timeout and its error comes
// back as one explained line. Close ends it.
type Session struct {
	Plugin Plugin
	Desc   *shared.Description

	store   shared.Store
	conn    *launch.Conn
	timeout time.Duration
}

// Close stops the plugin and reaps it.
func (s *Session) Close() error { return s.conn.Close() }

func (s *Session) callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, s.timeout)
}

// Validate checks store options and returns the settings to keep in
// keeper.ini. No setting may be named storage, in any case: beside the
// store's settings, that key names the profile's store type.
func (s *Session) Validate(ctx context.Context, options map[string]string) (shared.Settings, error) {
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	resp, err := s.store.Validate(ctx, &shared.ValidateRequest{Options: options, WorkingDir: workingDir()})
	if err != nil {
		return nil, Explain(s.Plugin.Type, "validate", err)
	}
	settings := resp.Settings
	for name := range settings {
		if strings.EqualFold(strings.TrimSpace(name), setupflags.StorageKey) {
			return nil, fmt.Errorf("%s store: plugin %s returned a setting named %q, which ksm keeps for the store type; nothing was written; ask its author",
				s.Plugin.Type, s.Plugin.Path, safetext.Escape(name))
		}
	}
	return settings, nil
}

// workingDir is ksm's working directory for ValidateRequest.WorkingDir: the
// plugin runs in "/" and resolves a relative path the user gave against it.
// Empty when unknown (removed, or unreadable): the plugin falls back to its
// own.
func workingDir() string {
	wd, err := os.Getwd()
	if err != nil || !filepath.IsAbs(wd) {
		return ""
	}
	return wd
}

// Load reads the config a profile's settings point to, and checks it.
func (s *Session) Load(ctx context.Context, settings shared.Settings) (shared.Config, error) {
	cfg, err := s.LoadRecord(ctx, settings)
	if err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s store: the config it holds is not usable: %w", s.Plugin.Type, err)
	}
	return cfg, nil
}

// LoadRecord is Load without the check that the answer is a client config:
// for a store's other records, such as the list of profiles Keeper's CLI
// keeps in the OS keyring.
func (s *Session) LoadRecord(ctx context.Context, settings shared.Settings) (shared.Config, error) {
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	resp, err := s.store.Load(ctx, &shared.LoadRequest{Settings: settings})
	if err != nil {
		return nil, Explain(s.Plugin.Type, "load", err)
	}
	return resp.Config, nil
}

// Save stores a config; a store that cannot save is refused before the call.
func (s *Session) Save(ctx context.Context, req shared.SaveRequest) error {
	if !s.Desc.CanSave {
		return fmt.Errorf("the %s store cannot save configs", s.Plugin.Type)
	}
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	if _, err := s.store.Save(ctx, &req); err != nil {
		return Explain(s.Plugin.Type, "save", err)
	}
	return nil
}
