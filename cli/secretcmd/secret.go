// Package secretcmd implements `ksm secret ...`: reading the records a
// profile's application can see, to prove the profile works and to get a
// record's fields when asked. One file per subcommand.
package secretcmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/envtoken"
	"github.com/ksm-cli/ksm/cli/internal/inifile"
	"github.com/ksm-cli/ksm/cli/internal/keeper"
	"github.com/ksm-cli/ksm/cli/internal/keeperini"
	"github.com/ksm-cli/ksm/cli/internal/profiles"
	"github.com/ksm-cli/ksm/cli/internal/stores"
	"github.com/ksm-cli/ksm/internal/safetext"
	"github.com/ksm-cli/ksm/shared"
)

// NewCommand returns `ksm secret` and its subcommands.
func NewCommand(f *cmdutil.Factory) *cli.Command {
	return &cli.Command{
		Name:  "secret",
		Usage: "Read the records shared with a profile's application",
		Subcommands: []*cli.Command{
			newListCommand(f),
			newGetCommand(f),
		},
	}
}

// fetch reads every record the profile (--profile, else the active one)
// can see, prints Keeper's warnings to stderr, and keeps a server key id
// switch Keeper asked for in keeper.ini so the next run need not repeat it.
func fetch(ctx context.Context, f *cmdutil.Factory) (*keeper.Secrets, error) {
	if err := envtoken.Redeem(ctx, f); err != nil {
		return nil, err
	}
	src, p, err := f.Ini().ReadProfile("")
	if err != nil {
		return nil, err
	}
	cfg, err := stores.Config(ctx, f.PluginHost, p)
	if err != nil {
		return nil, err
	}
	kcfg := keeper.ConfigFromMap(cfg)
	kctx, cancel := f.KeeperContext(ctx)
	defer cancel()
	secrets, err := f.KeeperClient().Fetch(kctx, kcfg)
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", p.Name, err)
	}
	for _, w := range secrets.Warnings {
		fmt.Fprintf(f.IO.ErrOut, "Warning: %s\n", safetext.Escape(w))
	}
	old := kcfg.ServerPublicKeyID
	if old == "" {
		old = shared.DefaultServerPublicKeyID
	}
	if secrets.ServerPublicKeyID != "" && secrets.ServerPublicKeyID != old {
		saveKeyID(ctx, f, src, p, cfg[shared.KeyClientID], secrets.ServerPublicKeyID)
	}
	return secrets, nil
}

// errChanged: the profile changed since it was read; leave it alone.
var errChanged = errors.New("profile changed meanwhile")

// saveKeyID writes a new serverPublicKeyId into an internal keeper.ini
// profile, under the lock, if the profile is still the one used. Failing
// to save costs one extra round trip next time, so it only warns.
func saveKeyID(ctx context.Context, f *cmdutil.Factory, src *keeperini.Source, p *profiles.Profile, clientID, id string) {
	if p.External() || src.Path == "" {
		f.Log.Debug("keeper switched server key id; not saved", "profile", p.Name, "key_id", id, "storage", p.Storage, "from", src.Env)
		return
	}
	_, err := f.Ini().UpdateAt(ctx, src.Path, func(b *profiles.Book) error {
		cur, err := b.Get(p.Name)
		if err != nil || cur.External() || cur.Config[shared.KeyClientID] != clientID {
			return errChanged
		}
		inifile.SetKey(b.File(), p.Name, "serverpublickeyid", id, false)
		return nil
	})
	switch {
	case errors.Is(err, errChanged):
		f.Log.Debug("profile changed meanwhile; server key id not saved", "profile", p.Name)
	case err != nil:
		fmt.Fprintf(f.IO.ErrOut, "Warning: cannot save server key id %s for profile %s: %v\n", id, p.Name, err)
	default:
		f.Log.Debug("saved new server key id", "profile", p.Name, "key_id", id, "path", src.Path)
	}
}
