package cmdutil

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/ksm-cli/ksm/cli/internal/inifile"
	"github.com/ksm-cli/ksm/cli/internal/iostreams"
	"github.com/ksm-cli/ksm/cli/internal/keeper"
	"github.com/ksm-cli/ksm/cli/internal/keeperini"
	"github.com/ksm-cli/ksm/cli/internal/pluginhost"
)

// Factory gives commands their dependencies, built from the global flags
// before a command runs. It only wires: nothing here reads keeper.ini,
// redeems a token or starts a plugin; the services that do (keeperini,
// envtoken, stores, keeperkeyring) are called by the commands that need
// them.
type Factory struct {
	IO     *iostreams.Streams
	Env    inifile.Env
	Log    hclog.Logger
	Getenv func(string) string

	IniFile string        // --ini-file; empty means search
	Profile string        // --profile / KSM_CLI_PROFILE; empty means the active one
	Timeout time.Duration // bounds each call to a storage plugin or server

	// Plugins is the storage plugin setup; the host is built on first use.
	Plugins PluginSettings
	host    *pluginhost.Host

	// HTTPClient sends Keeper requests; nil means Go's default transport,
	// which honours SSL_CERT_FILE and the proxy variables.
	HTTPClient *http.Client

	iniWarn sync.Once // the loose keeper.ini mode warning, once per run
}

// Ini is where this command's profiles are (--ini-file, the container
// variables, the keeper.ini search).
func (f *Factory) Ini() *keeperini.Location {
	return &keeperini.Location{
		Env: f.Env, Getenv: f.Getenv, Log: f.Log, IniFile: f.IniFile, Profile: f.Profile, Timeout: f.Timeout,
		Warnings: f.IO.ErrOut, WarnOnce: &f.iniWarn,
	}
}

// KeeperClient returns a Keeper protocol client that logs with --debug.
func (f *Factory) KeeperClient() *keeper.Client {
	return &keeper.Client{HTTPClient: f.HTTPClient, Logger: f.Log.Named("keeper")}
}

const defaultTimeout = 30 * time.Second

// KeeperContext bounds one Keeper exchange (with its retries) by --timeout.
func (f *Factory) KeeperContext(ctx context.Context) (context.Context, context.CancelFunc) {
	d := f.Timeout
	if d <= 0 {
		d = defaultTimeout
	}
	return context.WithTimeout(ctx, d)
}
