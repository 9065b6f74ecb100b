package keeperini

import (
	"fmt"
	"strings"

	"github.com/ksm-cli/ksm/cli/internal/inifile"
	"github.com/ksm-cli/ksm/cli/internal/profiles"
	"github.com/ksm-cli/ksm/shared"
)

// The container variables Keeper's CLI reads at start for in-memory
// profiles (KSM_TOKEN is package envtoken's).
const (
	EnvConfig           = "KSM_CONFIG"              // one config, base64 or raw JSON
	EnvConfigBase64     = "KSM_CONFIG_BASE64_"      // + n: one config per n, from 1
	EnvConfigBase64Desc = "KSM_CONFIG_BASE64_DESC_" // + n: that config's profile name
	EnvProfile          = "KSM_CLI_PROFILE"         // the in-memory or redeemed profile's name
)

// envProfiles builds the in-memory profiles of KSM_CONFIG or
// KSM_CONFIG_BASE64_n; nil when neither is set. Errors name the variable,
// never its value.
func envProfiles(getenv func(string) string) (*Source, error) {
	if v := getenv(EnvConfig); v != "" {
		name, err := ProfileFromEnv(getenv)
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

// ProfileFromEnv is the name KSM_CLI_PROFILE gives the in-memory or
// redeemed profile, else _default.
func ProfileFromEnv(getenv func(string) string) (string, error) {
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
