package cmdutil

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ksm-cli/ksm/cli/internal/pluginhost"
	"github.com/ksm-cli/ksm/internal/keeperlayout"
	"github.com/ksm-cli/ksm/shared"
)

// KeyringType is the store that keeps profiles in the OS keyring, where
// Keeper's CLI 1.4 keeps its own.
const KeyringType = "keyring"

// LinkKeyringCommand is the command that links Keeper's keyring profiles
// into keeper.ini.
const LinkKeyringCommand = "ksm profile link-keyring"

// KeeperKeyringProfiles lists the profiles Keeper's CLI keeps in the OS
// keyring under service, and its active one, read (and verified) through
// the keyring plugin.
func (f *Factory) KeeperKeyringProfiles(ctx context.Context, s *pluginhost.Session, service string) ([]string, string, error) {
	idx, err := s.LoadRecord(ctx, shared.Settings{keeperlayout.SettingService: service, keeperlayout.SettingItem: keeperlayout.IndexItem})
	if err != nil {
		return nil, "", err
	}
	return keeperlayout.IndexFromConfig(idx)
}

// probeTimeout bounds the keyring probe behind the no-keeper.ini hint: a
// hint must not hold a command up (a locked keyring waits on its prompt).
const probeTimeout = 3 * time.Second

// keyringHint says, in one sentence, that Keeper's CLI keeps profiles in
// the OS keyring and how to use them; "" when it has none or the keyring
// cannot be read (the hint is a courtesy, never an error). It starts the
// keyring plugin, so it is only asked for when no keeper.ini exists.
func (f *Factory) keyringHint() string {
	ctx, cancel := context.WithTimeout(context.Background(), min(f.Timeout, probeTimeout))
	defer cancel()
	s, err := f.PluginHost().Open(ctx, KeyringType, false)
	if err != nil {
		f.Log.Debug("no keyring probe", "error", err)
		return ""
	}
	defer s.Close()
	names, _, err := f.KeeperKeyringProfiles(ctx, s, keeperlayout.Service)
	if err != nil || len(names) == 0 {
		f.Log.Debug("no Keeper CLI profiles in the OS keyring", "error", err)
		return ""
	}
	noun := "profiles"
	if len(names) == 1 {
		noun = "profile"
	}
	return fmt.Sprintf("Keeper's CLI keeps %d %s in the OS keyring (%s); run `%s` to use them (no key is copied to disk)",
		len(names), noun, strings.Join(names, ", "), LinkKeyringCommand)
}

// KeyringHint is keyringHint, asked once per command.
func (f *Factory) KeyringHint() string {
	f.hintOnce.Do(func() { f.hint = f.keyringHint() })
	return f.hint
}

// noIniError is ErrNoIni with the search path and, only when the message
// is read (it is printed), the keyring hint: commands that merely check
// for a keeper.ini never start the keyring plugin.
type noIniError struct {
	f        *Factory
	searched string
	once     sync.Once
	msg      string
}

func (e *noIniError) Unwrap() error { return ErrNoIni }

func (e *noIniError) Error() string {
	e.once.Do(func() {
		e.msg = fmt.Sprintf("%v (looked in %s); create one with `ksm profile init` or `ksm profile import`, or pass --ini-file", ErrNoIni, e.searched)
		if hint := e.f.KeyringHint(); hint != "" {
			e.msg += ". " + hint
		}
	})
	return e.msg
}
