package cmdutil

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/ksm-cli/ksm/cli/internal/pluginhost"
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
