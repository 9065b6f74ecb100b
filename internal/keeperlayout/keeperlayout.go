// Package keeperlayout names what Keeper's CLI 1.4 keeps in the OS keyring
// (its keyring_config.py): the service, the item names, and how the
// keyring store hands Keeper's profile list to ksm. Both ksm and
// ksm-storage-keyring import it (it lives in internal/, as the CLI may not
// import a plugin's packages); it has no dependencies, so ksm itself
// links no keyring code.
package keeperlayout

import (
	"errors"
	"strings"
)

const (
	// Service is the keyring service (Python keyring's "service", the
	// application name) Keeper's CLI uses.
	Service = "KSM-cli"
	// ProfilePrefix + NAME is the item holding Keeper profile NAME.
	ProfilePrefix = "ksm-cli-profile-"
	// IndexItem lists Keeper's profiles and its active one.
	IndexItem = "ksm-cli-common"
	// IntegritySuffix names the item holding the SHA-256 hex of an item.
	IntegritySuffix = "-integrity"
)

// The keyring store's settings in keeper.ini (and its setup options):
// which service and item hold a profile's config.
const (
	SettingService = "service"
	SettingItem    = "item"
)

// ValidName reports whether Keeper's CLI accepts name as a profile name:
// its rule is ^[a-zA-Z0-9_-]{1,64}$ (TestValidNameFollowsKeepersPattern
// holds this loop to that pattern). A loop, not a regexp: a package-level
// regexp compiles at every ksm start-up, since ksm links this package.
func ValidName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// ProfileItem is the item Keeper's CLI keeps profile name in.
func ProfileItem(name string) string { return ProfilePrefix + name }

// ProfileOf returns the Keeper profile an item of service holds, if it is
// one of Keeper's profile items.
func ProfileOf(service, item string) (string, bool) {
	name, ok := strings.CutPrefix(item, ProfilePrefix)
	if service != Service || !ok || !ValidName(name) || strings.HasSuffix(item, IntegritySuffix) {
		return "", false
	}
	return name, true
}

// Loading IndexItem through the keyring store answers with the index, not
// a client config, under these two keys: the profile names joined with
// commas (a Keeper name cannot hold one), and the active profile.
const (
	IndexProfilesKey = "profiles"
	IndexActiveKey   = "active_profile"
)

// IndexToConfig is the store's side of that answer.
func IndexToConfig(profiles []string, active string) map[string]string {
	return map[string]string{IndexProfilesKey: strings.Join(profiles, ","), IndexActiveKey: active}
}

// IndexFromConfig is ksm's side: the profiles and the active one.
func IndexFromConfig(cfg map[string]string) (profiles []string, active string, err error) {
	list, ok := cfg[IndexProfilesKey]
	if !ok {
		return nil, "", errors.New("the keyring store did not answer with Keeper's profile list")
	}
	for _, n := range strings.Split(list, ",") {
		if ValidName(n) {
			profiles = append(profiles, n)
		}
	}
	return profiles, cfg[IndexActiveKey], nil
}

// Saving IndexItem through the keyring store makes a Keeper profile the
// active one in Keeper's list (its `profile active`): the config holds
// IndexActiveKey alone.

// ActiveToConfig is ksm's side of that request.
func ActiveToConfig(name string) map[string]string { return map[string]string{IndexActiveKey: name} }

// ActiveFromConfig is the store's side: the profile to make active.
func ActiveFromConfig(cfg map[string]string) (string, error) {
	name, ok := cfg[IndexActiveKey]
	if !ok || len(cfg) != 1 {
		return "", errors.New("saving Keeper's profile list takes only the active profile's name")
	}
	if !ValidName(name) {
		//lint:ignore ST1005 the sentence starts with a name, Keeper's
		return "", errors.New("Keeper's CLI only reads profile names of 1-64 letters, digits, - and _")
	}
	return name, nil
}
