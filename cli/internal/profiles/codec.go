package profiles

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ksm-cli/ksm/cli/internal/inifile"
	"github.com/ksm-cli/ksm/cli/internal/region"
	"github.com/ksm-cli/ksm/shared"
)

// Imported is what an import string held: one SDK JSON config, or the
// profiles of a whole keeper.ini.
type Imported struct {
	Config   shared.Config // set for SDK JSON
	Profiles []*Profile    // set for a keeper.ini
	Active   string        // the keeper.ini's active_profile, if any
}

// DecodeImport reads what `ksm profile export` (ours or Keeper's) prints:
// base64 in either alphabet of SDK JSON or of a keeper.ini; the plain JSON
// or ini text is accepted too. Errors never quote the input.
func DecodeImport(s string) (*Imported, error) {
	data := bytes.TrimSpace([]byte(s))
	if len(data) == 0 {
		return nil, errors.New("the config to import is empty")
	}
	if data[0] != '{' && data[0] != '[' {
		decoded, err := shared.DecodeBase64(string(data))
		if err != nil {
			return nil, errors.New("the config to import is not base64; pass the string `ksm profile export` printed, whole")
		}
		data = bytes.TrimSpace(decoded)
	}
	switch {
	case len(data) > 0 && data[0] == '{':
		// Python's json (Keeper's CLI) refuses bytes that are not UTF-8;
		// Go's would turn them into U+FFFD, a config that is not the one given.
		if !utf8.Valid(data) {
			return nil, errors.New("the config to import is not valid UTF-8 (Keeper's CLI refuses it too); check that it was copied whole")
		}
		cfg, err := shared.ParseConfig(data)
		if err != nil {
			return nil, fmt.Errorf("the config to import is not a usable SDK config: %w", err)
		}
		if err := storable(&Profile{Config: cfg}); err != nil {
			return nil, fmt.Errorf("the config to import %w", err)
		}
		return &Imported{Config: cfg}, nil
	case len(data) > 0 && data[0] == '[':
		return decodeINI(data)
	default:
		return nil, errors.New("the decoded config is neither SDK JSON nor a keeper.ini; check that it was copied whole")
	}
}

func decodeINI(data []byte) (*Imported, error) {
	f, err := inifile.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("the keeper.ini to import is %w", err)
	}
	book := NewBook(f)
	imp := &Imported{Active: book.Active()}
	for i, name := range book.Names() {
		if ValidateName(name) != nil {
			// Not quoted: a mangled paste can put key material in brackets
			// (a JSON array is read as a keeper.ini).
			return nil, fmt.Errorf("the keeper.ini to import has an invalid profile name in its profile section %d: use 1-64 letters, digits, '_' or '-'", i+1)
		}
		p, _ := book.Get(name)
		if !p.External() {
			if err := p.Config.Validate(); err != nil {
				return nil, fmt.Errorf("profile %s in the keeper.ini to import: %w", name, err)
			}
		}
		if err := storable(p); err != nil {
			return nil, fmt.Errorf("profile %s in the keeper.ini to import %w", name, err)
		}
		imp.Profiles = append(imp.Profiles, p)
	}
	if len(imp.Profiles) == 0 {
		return nil, errors.New("the keeper.ini to import holds no profile")
	}
	return imp, nil
}

// ExportINI renders a config as the stand-alone keeper.ini Keeper's CLI
// exports: Keeper's [_config] block and the profile renamed _default.
func ExportINI(cfg shared.Config) []byte {
	f := inifile.NewWithActive(DefaultName)
	_ = NewBook(f).Put(&Profile{Name: DefaultName, Config: cfg}) // _default is a valid name
	return inifile.Encode(f)
}

// ExportJSON renders a config as SDK JSON with the region code resolved to
// a host, since the SDKs that read it expect a host.
func ExportJSON(cfg shared.Config) []byte {
	out := shared.Config{}
	for k, v := range cfg {
		out[k] = v
	}
	out[shared.KeyHostname] = region.Host(cfg[shared.KeyHostname])
	return shared.MarshalConfig(out)
}

// EncodeExport is the base64url form Keeper's CLI prints by default.
func EncodeExport(data []byte) string { return base64.URLEncoding.EncodeToString(data) }

// storable reports what keeper.ini could not hold exactly if p were put in
// it (see inifile.CheckWritable), so that import refuses it up front. The
// message names SDK keys only, never a value or another key: a mangled
// config can turn key material into a key name.
func storable(p *Profile) error {
	const hint = "(a value with a carriage return, a line with surrounding spaces, or a line after the first starting with '#' or ';'; a key with '=' or ':')"
	if p.External() {
		if !inifile.WritableValue(p.Storage) {
			return fmt.Errorf("has a storage type that keeper.ini cannot hold exactly %s", hint)
		}
		for k, v := range p.Settings {
			if strings.EqualFold(k, StorageKey) {
				return errors.New("has two storage keys")
			}
			if !inifile.WritableKey(strings.ToLower(k)) || !inifile.WritableValue(v) {
				return fmt.Errorf("has a store setting that keeper.ini cannot hold exactly %s", hint)
			}
		}
		return nil
	}
	seen := map[string]string{} // keeper.ini key -> SDK key
	for _, k := range sortedKeys(p.Config) {
		ik := iniKey(k)
		if ik == StorageKey {
			return errors.New("has a key named storage, which keeper.ini keeps for external stores")
		}
		if other, dup := seen[ik]; dup {
			return fmt.Errorf("has two keys that differ only in case%s; keeper.ini keeps one", sdkName(" (%s)", other, k))
		}
		seen[ik] = k
		if !inifile.WritableKey(ik) {
			return fmt.Errorf("has a key name that keeper.ini cannot hold exactly %s", hint)
		}
		if !inifile.WritableValue(p.Config[k]) {
			return fmt.Errorf("has a value%s that keeper.ini cannot hold exactly %s", sdkName(" for %s", k), hint)
		}
	}
	return nil
}

// iniKey is the keeper.ini key an SDK JSON key is written as.
func iniKey(sdk string) string {
	for _, k := range iniKeys {
		if k.sdk == sdk {
			return k.ini
		}
	}
	return strings.ToLower(sdk)
}

// sdkName formats the first known SDK key among keys, or returns "".
func sdkName(format string, keys ...string) string {
	for _, k := range keys {
		for _, known := range iniKeys {
			if k == known.sdk {
				return fmt.Sprintf(format, k)
			}
		}
	}
	return ""
}
