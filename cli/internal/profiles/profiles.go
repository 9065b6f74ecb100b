// Package profiles is the profile model over a parsed keeper.ini: names,
// the active profile, internal profiles (Keeper keys in the file) and
// external ones (`storage = <type>` plus that store's settings).
package profiles

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"gopkg.in/ini.v1"

	"github.com/ksm-cli/ksm/cli/internal/inifile"
	"github.com/ksm-cli/ksm/shared"
)

// DefaultName is the profile used when none is named (Keeper's default).
const DefaultName = "_default"

const activeKey = "active_profile"

// StorageKey marks an external profile and names its store type. The
// flag code reserves the same name for store options (setupflags, which
// the model does not import); TestStorageKeyReserved ties the two.
const StorageKey = "storage"

// ErrNotFound is returned for a profile that is not in keeper.ini.
var ErrNotFound = errors.New("profile not found")

// ValidateName checks a profile name against the rule inifile.ValidName
// states (the one owner of it).
func ValidateName(name string) error { return inifile.ValidName(name) }

// iniKeys maps SDK JSON keys to the lower-cased keys keeper.ini uses, in
// the order Keeper's CLI writes them.
var iniKeys = []struct{ sdk, ini string }{
	{shared.KeyClientID, "clientid"},
	{shared.KeyPrivateKey, "privatekey"},
	{shared.KeyAppKey, "appkey"},
	{shared.KeyHostname, "hostname"},
	{shared.KeyAppOwnerPublicKey, "appownerpublickey"},
	{shared.KeyServerPublicKeyID, "serverpublickeyid"},
	{shared.KeyServerPublicKey, "serverpublickey"},
}

// sdkKeyOf is iniKeys the other way round: keeper.ini's key to the SDK's.
var sdkKeyOf = func() map[string]string {
	m := make(map[string]string, len(iniKeys))
	for _, k := range iniKeys {
		m[k.ini] = k.sdk
	}
	return m
}()

// Profile is one keeper.ini profile section.
type Profile struct {
	Name string
	// Storage is empty for an internal profile, else the store type.
	Storage string
	// Settings are an external profile's store keys (without "storage").
	Settings shared.Settings
	// Config is an internal profile's client config (SDK JSON keys).
	Config shared.Config
}

// External reports whether the profile's config lives in a store.
func (p *Profile) External() bool { return p.Storage != "" }

// Book is the profile view of a keeper.ini file.
type Book struct{ f *ini.File }

// NewBook wraps a parsed keeper.ini.
func NewBook(f *ini.File) *Book { return &Book{f: f} }

// File returns the underlying ini file.
func (b *Book) File() *ini.File { return b.f }

// Names lists profile names in file order.
func (b *Book) Names() []string {
	var names []string
	for _, s := range b.f.Sections() {
		if n := s.Name(); n != ini.DefaultSection && n != inifile.ConfigSection {
			names = append(names, n)
		}
	}
	return names
}

// Has reports whether a profile exists.
func (b *Book) Has(name string) bool {
	return name != inifile.ConfigSection && name != ini.DefaultSection && b.f.HasSection(name)
}

// Active returns active_profile, or "" when unset.
func (b *Book) Active() string {
	if !b.f.HasSection(inifile.ConfigSection) || inifile.IsBare(b.f, inifile.ConfigSection, activeKey) {
		return ""
	}
	return b.f.Section(inifile.ConfigSection).Key(activeKey).Value()
}

// SetActive makes name the active profile.
func (b *Book) SetActive(name string) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	if !b.Has(name) {
		return b.notFound(name)
	}
	b.config()
	inifile.SetKey(b.f, inifile.ConfigSection, activeKey, name, false)
	return nil
}

func (b *Book) config() *ini.Section { return inifile.EnsureConfig(b.f) }

// Get returns a profile.
func (b *Book) Get(name string) (*Profile, error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	if !b.Has(name) {
		return nil, b.notFound(name)
	}
	s := b.f.Section(name)
	p := &Profile{Name: name}
	// A bare key (a line with no "=") is None to configparser, which no
	// string can stand for: it is left out, as an empty value is, never
	// read as ini.v1's "true". The keys are walked, not looked up by name:
	// ini.v1's lookup of a missing key formats an error (`profile list`
	// gets every profile).
	keys := s.Keys()
	if i := slices.IndexFunc(keys, func(k *ini.Key) bool { return k.Name() == StorageKey }); i >= 0 {
		if inifile.KeyIsBare(keys[i]) {
			return nil, fmt.Errorf("profile %s: %s has no value; give it the store type or remove the line", name, StorageKey)
		}
		p.Storage = keys[i].Value()
		p.Settings = shared.Settings{}
		for _, k := range keys {
			if k.Name() != StorageKey && !inifile.KeyIsBare(k) {
				p.Settings[k.Name()] = k.Value()
			}
		}
		return p, nil
	}
	p.Config = shared.Config{}
	for _, k := range keys {
		sdk, ok := sdkKeyOf[k.Name()]
		if !ok {
			sdk = k.Name() // unknown keys travel as they are
		}
		if v := k.Value(); v != "" && !inifile.KeyIsBare(k) {
			p.Config[sdk] = v
		}
	}
	return p, nil
}

// Put writes a profile, replacing any section of that name.
func (b *Book) Put(p *Profile) error {
	if err := ValidateName(p.Name); err != nil {
		return err
	}
	b.config() // make sure [_config] exists (and is written first)
	if b.f.HasSection(p.Name) {
		b.f.DeleteSection(p.Name)
	}
	s := b.f.Section(p.Name)
	if p.External() {
		s.Key(StorageKey).SetValue(p.Storage)
		for _, k := range sortedKeys(p.Settings) {
			s.Key(k).SetValue(p.Settings[k])
		}
		return nil
	}
	written := map[string]bool{}
	for _, k := range iniKeys {
		if v, ok := p.Config[k.sdk]; ok {
			s.Key(k.ini).SetValue(v)
			written[k.sdk] = true
		}
	}
	for _, k := range sortedKeys(p.Config) {
		if !written[k] {
			s.Key(strings.ToLower(k)).SetValue(p.Config[k])
		}
	}
	return nil
}

// Delete removes a profile. If it was active, the one remaining profile
// becomes active, or active_profile is cleared: it never dangles.
func (b *Book) Delete(name string) (newActive string, err error) {
	if err := ValidateName(name); err != nil {
		return "", err
	}
	if !b.Has(name) {
		return "", b.notFound(name)
	}
	b.f.DeleteSection(name)
	if b.Active() != name {
		return b.Active(), nil
	}
	names := b.Names()
	if len(names) != 1 {
		inifile.SetKey(b.f, inifile.ConfigSection, activeKey, "", true)
		return "", nil
	}
	return names[0], b.SetActive(names[0])
}

type notFoundError struct {
	name string
	none bool // there is no profile at all
}

func (e *notFoundError) Error() string {
	if e.none {
		return fmt.Sprintf("the profile %s does not exist in the INI config, which has no profile; create one with `ksm profile init` or `ksm profile import`", e.name)
	}
	return fmt.Sprintf("the profile %s does not exist in the INI config; run `ksm profile list` to see the profiles", e.name)
}

func (e *notFoundError) Is(target error) bool { return target == ErrNotFound }

// notFound names the profile; with no profile left, listing them is no help.
func (b *Book) notFound(name string) error {
	return &notFoundError{name: name, none: len(b.Names()) == 0}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
