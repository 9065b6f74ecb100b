package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"gopkg.in/ini.v1"

	"github.com/ksm-cli/ksm/cli/internal/inifile"
	"github.com/ksm-cli/ksm/cli/internal/iostreams"
	"github.com/ksm-cli/ksm/cli/internal/pluginhost"
	"github.com/ksm-cli/ksm/cli/internal/profiles"
	"github.com/ksm-cli/ksm/shared"
)

// Factory gives commands their dependencies. It is built from the global
// flags before a command runs and does no work until asked.
type Factory struct {
	IO     *iostreams.Streams
	Env    inifile.Env
	Log    hclog.Logger
	Getenv func(string) string

	// IniFile is --ini-file; empty means search.
	IniFile string
	// Profile is --profile / KSM_CLI_PROFILE; empty means the active one.
	Profile string
	// Timeout bounds each call to a storage plugin or server.
	Timeout time.Duration

	// LoadConfig loads an external profile's config through its storage
	// plugin; set by the app so that only commands that need it start one.
	LoadConfig func(ctx context.Context, p *profiles.Profile) (shared.Config, error)

	// Plugins is the storage plugin setup; the host is built on first use.
	Plugins PluginSettings
	host    *pluginhost.Host

	// Keeper protocol and `profile init --storage` (see envsource.go).
	//
	// HTTPClient sends Keeper requests; nil means Go's default transport,
	// which honours SSL_CERT_FILE and the proxy variables.
	HTTPClient *http.Client
	// InitStore initialises a profile straight into an external store for
	// `profile init --storage TYPE`; nil makes --storage fail clearly.
	// Set by the app once the plugin host can do it.
	InitStore StoreInitFunc

	modeWarned bool

	// The no-keeper.ini hint (keyring.go), computed at most once.
	hintOnce sync.Once
	hint     string
}

// StoreInitFunc is the plugin host's part of `profile init --storage`: it
// must validate req.Options with the store (returning the settings to keep
// in keeper.ini), only then call req.Redeem once for the config, and save
// that config in the store. The Keeper keys never touch the local disk.
type StoreInitFunc func(ctx context.Context, req StoreInitRequest) (shared.Settings, error)

// StoreInitRequest is what `profile init --storage` asks of InitStore.
type StoreInitRequest struct {
	Type      string            // the store type, e.g. "aws"
	Profile   string            // the profile being created
	Options   map[string]string // --store-option NAME=VALUE
	Overwrite bool              // --force: replace what the store holds
	// Redeem binds the one-time token; calling it uses the token up.
	Redeem func(ctx context.Context) (shared.Config, error)
}

// Config returns a profile's client config, from keeper.ini or its store.
func (f *Factory) Config(ctx context.Context, p *profiles.Profile) (shared.Config, error) {
	if !p.External() {
		if err := p.Config.Validate(); err != nil {
			return nil, fmt.Errorf("profile %s in keeper.ini: %w; import it again", p.Name, err)
		}
		return p.Config, nil
	}
	if f.LoadConfig == nil {
		return nil, fmt.Errorf("profile %s keeps its config in the %q store, which this build cannot load", p.Name, p.Storage)
	}
	return f.LoadConfig(ctx, p)
}

// Source is where a command read its profiles from.
type Source struct {
	Book *profiles.Book
	// Path is the keeper.ini read, empty for in-memory profiles.
	Path string
	// Env names the variable in-memory profiles came from (KSM_CONFIG,
	// KSM_CONFIG_BASE64_1...); empty for a keeper.ini.
	Env string
}

// ErrNoIni is returned when no keeper.ini exists anywhere searched.
var ErrNoIni = errors.New("no keeper.ini found")

// ReadPath is the keeper.ini reads use: --ini-file, else the first found
// in the search order.
func (f *Factory) ReadPath() (string, bool) {
	if f.IniFile != "" {
		return f.IniFile, true
	}
	return f.Env.Find()
}

// WritePath is the keeper.ini writes use: --ini-file, else the one found,
// else where a new one is created.
func (f *Factory) WritePath() string {
	if p, ok := f.ReadPath(); ok {
		return p
	}
	return f.Env.WritePath()
}

// Read loads the profiles a command works on: from --ini-file, the
// container variables or the keeper.ini search (see ReadContext).
func (f *Factory) Read() (*Source, error) { return f.ReadContext(context.Background()) }

// RequireIni fails unless there is a keeper.ini to change: commands that
// edit profiles never create one, and in-memory profiles (KSM_CONFIG...)
// cannot be edited.
func (f *Factory) RequireIni() error {
	if _, ok := f.ReadPath(); ok {
		return nil
	}
	return f.noIni()
}

func (f *Factory) noIni() error {
	return &noIniError{f: f, searched: f.searchedDirs()}
}

// readIni is Read without the container variables.
func (f *Factory) readIni() (*Source, error) {
	path, ok := f.ReadPath()
	if !ok {
		return nil, f.noIni()
	}
	file, err := inifile.ReadWithin(path, f.Timeout)
	if err != nil {
		return nil, err
	}
	f.warnLooseMode(path)
	f.Log.Debug("read keeper.ini", "path", path)
	return &Source{Book: profiles.NewBook(file), Path: path}, nil
}

// Update changes the keeper.ini at WritePath under its lock; nothing is
// written if fn fails.
func (f *Factory) Update(ctx context.Context, fn func(*profiles.Book) error) (string, error) {
	return f.UpdateAt(ctx, f.WritePath(), fn)
}

// UpdateAt is Update on a given keeper.ini.
func (f *Factory) UpdateAt(ctx context.Context, path string, fn func(*profiles.Book) error) (string, error) {
	f.Log.Debug("update keeper.ini", "path", path)
	err := inifile.Update(ctx, path, func(file *ini.File) error {
		return fn(profiles.NewBook(file))
	})
	return path, err
}

// ReadProfile reads the profiles and returns the one a command acts on
// (see ProfileName).
func (f *Factory) ReadProfile(ctx context.Context, arg string) (*Source, *profiles.Profile, error) {
	src, err := f.ReadContext(ctx)
	if err != nil {
		return nil, nil, err
	}
	name, err := f.ProfileName(src.Book, arg)
	if err != nil {
		return nil, nil, err
	}
	p, err := src.Book.Get(name)
	if err != nil {
		return nil, nil, err
	}
	return src, p, nil
}

// ProfileName picks the profile a command acts on: an explicit argument,
// else --profile / KSM_CLI_PROFILE, else the active profile.
func (f *Factory) ProfileName(book *profiles.Book, arg string) (string, error) {
	for _, n := range []string{arg, f.Profile, book.Active()} {
		if n != "" {
			return n, nil
		}
	}
	if len(book.Names()) == 0 {
		return "", errors.New("there is no profile; create one with `ksm profile init` or `ksm profile import`")
	}
	return "", errors.New("no active profile; choose one with `ksm profile active NAME` or pass --profile NAME")
}

func (f *Factory) warnLooseMode(path string) {
	if f.modeWarned || f.Getenv("KSM_CONFIG_SKIP_MODE_WARNING") == "TRUE" {
		return
	}
	if mode, loose := inifile.LooseMode(path); loose {
		f.modeWarned = true
		fmt.Fprintf(f.IO.ErrOut, "Warning: %s is accessible by other users (mode %04o); run `chmod 600 %s` (set KSM_CONFIG_SKIP_MODE_WARNING=TRUE to silence this)\n", path, mode, path)
	}
}

func (f *Factory) searchedDirs() string {
	paths := f.Env.SearchPaths()
	if len(paths) > 3 {
		return fmt.Sprintf("%s, %s, ... %s", paths[0], paths[1], paths[len(paths)-1])
	}
	return fmt.Sprint(paths)
}
