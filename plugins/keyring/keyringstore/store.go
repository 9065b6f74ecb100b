// Package keyringstore is the OS keyring storage for ksm profiles: the
// client config lives in a keyring item, in the layout Keeper's CLI 1.4
// uses (service KSM-cli, items ksm-cli-profile-NAME with an -integrity
// companion, the profile list in ksm-cli-common), so that profiles move
// freely between the two CLIs and no key touches the disk.
package keyringstore

import (
	"context"
	"os"
	"strings"
	"unicode"

	"github.com/ksm-cli/ksm/internal/keeperlayout"
	"github.com/ksm-cli/ksm/sdk"
)

// Store implements sdk.Store on the OS keyring.
type Store struct {
	kr      Keyring
	getenv  func(string) string
	version string
}

var _ sdk.Store = (*Store)(nil)

// Options configure a Store; the zero value is a working store.
type Options struct {
	// Version is what Describe reports (empty: the sdk reports the
	// module's version).
	Version string
}

// New returns the store on the platform's keyring.
func New(o Options) *Store { return &Store{kr: OSKeyring{}, getenv: os.Getenv, version: o.Version} }

// Settings keys in keeper.ini.
const (
	settingService = keeperlayout.SettingService
	settingItem    = keeperlayout.SettingItem
)

// DefaultItem is Keeper's CLI's item for its default profile.
var DefaultItem = keeperlayout.ProfileItem("_default")

var setupOptions = []sdk.Option{
	sdk.String(settingItem, "keyring item (user name) holding the config; Keeper's CLI names its profile NAME's item ksm-cli-profile-NAME", sdk.Default(DefaultItem)),
	sdk.String(settingService, "keyring service (application) name; Keeper's CLI uses "+keeperlayout.Service, sdk.Default(keeperlayout.Service)),
}

// env: the Secret Service is reached over the D-Bus session bus, found
// through these (DISPLAY for an X11 autolaunched bus is not supported).
var env = []string{"DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"}

// Describe is static.
func (s *Store) Describe(_ context.Context, _ *sdk.DescribeRequest) (*sdk.DescribeResponse, error) {
	return &sdk.DescribeResponse{Description: sdk.Description{
		Name:    "keyring",
		Version: s.version,
		Summary: "the OS keyring (Secret Service, macOS Keychain, Windows Credential Manager), in Keeper CLI 1.4's layout",
		Options: setupOptions,
		CanSave: true,
		Env:     env,
	}}, nil
}

// Validate checks the names; it does not touch the keyring (setup's Load
// does, right after).
func (*Store) Validate(_ context.Context, req *sdk.ValidateRequest) (*sdk.ValidateResponse, error) {
	values, err := sdk.Parse(setupOptions, req.Options)
	if err != nil {
		return nil, err
	}
	s := sdk.Settings{settingService: values.String(settingService), settingItem: values.String(settingItem)}
	if err := checkSettings(s); err != nil {
		return nil, err
	}
	return &sdk.ValidateResponse{Settings: s}, nil
}

// maxName bounds item and service names (Windows allows 32 KiB for the
// whole target name, macOS about 3000 bytes for everything).
const maxName = 256

func checkSettings(s sdk.Settings) error {
	service, item := s[settingService], s[settingItem]
	for _, f := range []struct{ flag, v string }{{"service", service}, {"item", item}} {
		switch {
		case f.v == "":
			return sdk.Errorf(sdk.CodeInvalidArgument, "the keyring %s name is empty; give --%s NAME", f.flag, f.flag)
		case len(f.v) > maxName:
			return sdk.Errorf(sdk.CodeInvalidArgument, "the keyring %s name is longer than %d bytes", f.flag, maxName)
		case strings.IndexFunc(f.v, unicode.IsControl) >= 0:
			return sdk.Errorf(sdk.CodeInvalidArgument, "the keyring %s name %q holds a control character", f.flag, f.v)
		}
	}
	switch {
	case item == keeperlayout.IndexItem:
		return sdk.Errorf(sdk.CodeInvalidArgument, "--item %s is Keeper's profile list, not a profile; give ksm-cli-profile-NAME", item)
	case strings.HasSuffix(item, keeperlayout.IntegritySuffix):
		return sdk.Errorf(sdk.CodeInvalidArgument, "--item %s names an integrity item; give the item itself", item)
	}
	if rest, ok := strings.CutPrefix(item, keeperlayout.ProfilePrefix); ok && service == keeperlayout.Service && !keeperlayout.ValidName(rest) {
		return sdk.Errorf(sdk.CodeInvalidArgument, "--item %s: Keeper's CLI only reads profile names of 1-64 letters, digits, - and _", item)
	}
	return nil
}

// where reads a profile's settings (hand-edited ones too: names go into
// messages, so control characters are refused here).
func where(s sdk.Settings) (service, item string, err error) {
	service, item = s[settingService], s[settingItem]
	switch {
	case item == "" || service == "":
		return "", "", sdk.Errorf(sdk.CodeInvalidArgument, "the profile has no keyring item or service setting; run `ksm profile setup --type=keyring` again")
	case strings.IndexFunc(service+item, unicode.IsControl) >= 0:
		return "", "", sdk.Errorf(sdk.CodeInvalidArgument, "the profile's keyring item or service name holds a control character; run `ksm profile setup --type=keyring` again")
	}
	return service, item, nil
}

// maxItem bounds what is read from an item: a config is about 1 KiB.
const maxItem = 64 << 10

// Load reads and verifies the item. Loading Keeper's index item answers
// with its profile list instead (see keeperlayout).
func (s *Store) Load(ctx context.Context, req *sdk.LoadRequest) (*sdk.LoadResponse, error) {
	service, item, err := where(req.Settings)
	if err != nil {
		return nil, err
	}
	if item == keeperlayout.IndexItem {
		idx, err := s.readIndex(ctx, service)
		if err != nil {
			return nil, err
		}
		if idx == nil {
			return nil, notFoundError(service, item)
		}
		return &sdk.LoadResponse{Config: idx.config()}, nil
	}
	if err := checkSettings(req.Settings); err != nil {
		return nil, err
	}
	text, err := s.readVerified(ctx, service, item)
	if err != nil {
		return nil, err
	}
	cfg, err := decodeConfig(text)
	if err != nil {
		return nil, notConfigError(service, item, err)
	}
	return &sdk.LoadResponse{Config: cfg}, nil
}

// readVerified reads an item and checks it against its -integrity item.
func (s *Store) readVerified(ctx context.Context, service, item string) (string, error) {
	text, err := s.get(ctx, service, item)
	if err != nil {
		return "", err
	}
	if len(text) > maxItem {
		return "", sdk.Errorf(sdk.CodeInvalidArgument, "keyring item %s (service %s) is larger than %d KiB: not a ksm config", item, service, maxItem>>10)
	}
	sum, err := s.get(ctx, service, item+keeperlayout.IntegritySuffix)
	switch {
	case sdk.CodeOf(err) == sdk.CodeNotFound:
		// Keeper's CLI 1.4 reads such an item unchecked; ksm does not: it
		// cannot tell a save cut short between the item and its hash (both
		// CLIs write the hash second) or an item another program wrote
		// from a verified config.
		return "", sdk.Errorf(sdk.CodeFailedPrecondition,
			"keyring item %s (service %s) has no integrity item %s%s, so ksm cannot verify it and refuses it (Keeper's CLI 1.4 is laxer: it reads such an item unchecked); save the profile again to write both (ksm profile setup --type=keyring --item %s --from-profile NAME --force)",
			item, service, item, keeperlayout.IntegritySuffix, item)
	case err != nil:
		return "", err
	}
	if checkIntegrity(text, sum) != nil {
		return "", tamperedError(service, item)
	}
	return text, nil
}

// readIndex reads Keeper's profile list; nil when there is none.
func (s *Store) readIndex(ctx context.Context, service string) (*Index, error) {
	text, err := s.readVerified(ctx, service, keeperlayout.IndexItem)
	if sdk.CodeOf(err) == sdk.CodeNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	idx, err := decodeIndex(text)
	if err != nil {
		return nil, sdk.Errorf(sdk.CodeFailedPrecondition, "keyring item %s (service %s) is not Keeper's profile list: %v", keeperlayout.IndexItem, service, err)
	}
	return idx, nil
}

func notFoundError(service, item string) error {
	return sdk.Errorf(sdk.CodeNotFound, "keyring item %s (service %s) does not exist", item, service)
}

func tamperedError(service, item string) error {
	return sdk.Errorf(sdk.CodeFailedPrecondition,
		"keyring item %s (service %s) does not match its integrity hash (%s%s): it was changed outside ksm and Keeper's CLI, so it is refused; save the profile again",
		item, service, item, keeperlayout.IntegritySuffix)
}

// notConfigError never quotes the item: it may hold keys.
func notConfigError(service, item string, why error) error {
	return sdk.Errorf(sdk.CodeInvalidArgument, "keyring item %s (service %s) does not hold a ksm config: %v", item, service, why)
}
