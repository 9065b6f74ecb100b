// Package keeperkeyring reads the profiles Keeper's CLI 1.4 keeps in the
// OS keyring, through the keyring plugin: for `ksm profile link-keyring`
// and for the hint a command adds when no keeper.ini exists.
package keeperkeyring

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/ksm-cli/ksm/cli/internal/pluginhost"
	"github.com/ksm-cli/ksm/internal/keeperlayout"
	"github.com/ksm-cli/ksm/shared"
)

// StoreType is the store that keeps profiles in the OS keyring, where
// Keeper's CLI 1.4 keeps its own.
const StoreType = "keyring"

// LinkCommand is the command that links Keeper's keyring profiles into
// keeper.ini.
const LinkCommand = "ksm profile link-keyring"

// Profiles lists the profiles Keeper's CLI keeps in the OS keyring under
// service, and its active one, read (and verified) through the keyring
// plugin.
func Profiles(ctx context.Context, s *pluginhost.Session, service string) ([]string, string, error) {
	idx, err := s.LoadRecord(ctx, shared.Settings{keeperlayout.SettingService: service, keeperlayout.SettingItem: keeperlayout.IndexItem})
	if err != nil {
		return nil, "", err
	}
	return keeperlayout.IndexFromConfig(idx)
}

// probeTimeout bounds the keyring probe behind the hint: a hint must not
// hold a command up (a locked keyring waits on its prompt).
const probeTimeout = 3 * time.Second

// Hint says, in one sentence, that Keeper's CLI keeps profiles in the OS
// keyring and how to use them; "" when it has none or the keyring cannot
// be read (the hint is a courtesy, never an error). It starts the keyring
// plugin, so a command asks for it only once it knows no keeper.ini
// exists, and never while building an error message.
func Hint(host *pluginhost.Host, timeout time.Duration, log hclog.Logger) string {
	ctx, cancel := context.WithTimeout(context.Background(), min(timeout, probeTimeout))
	defer cancel()
	s, err := host.Open(ctx, StoreType, false)
	if err != nil {
		log.Debug("no keyring probe", "error", err)
		return ""
	}
	defer s.Close()
	names, _, err := Profiles(ctx, s, keeperlayout.Service)
	if err != nil || len(names) == 0 {
		log.Debug("no Keeper CLI profiles in the OS keyring", "error", err)
		return ""
	}
	noun := "profiles"
	if len(names) == 1 {
		noun = "profile"
	}
	return fmt.Sprintf("Keeper's CLI keeps %d %s in the OS keyring (%s); run `%s` to use them (no key is copied to disk)",
		len(names), noun, strings.Join(names, ", "), LinkCommand)
}
