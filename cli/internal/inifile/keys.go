package inifile

import (
	"runtime"
	"sync"
	"weak"

	"gopkg.in/ini.v1"
)

// ini.v1 writes a bare key (configparser's "no value", e.g. `editor`) as
// its name alone but offers no way to ask whether a key is bare or to
// give a bare key a value. These helpers do both without reordering keys,
// since Keeper's CLI and users expect [_config] to keep its layout.

// IsBare reports whether key in section was written without a value.
func IsBare(f *ini.File, section, key string) bool {
	if !f.HasSection(section) || !f.Section(section).HasKey(key) {
		return false
	}
	return keyIsBare(f.Section(section).Key(key))
}

// KeyIsBare reports whether k was written without a value: IsBare for a
// key already in hand (a loop over a section's keys).
func KeyIsBare(k *ini.Key) bool { return keyIsBare(k) }

// SetKey sets key in section to value (or makes it bare), keeping the
// key's position.
func SetKey(f *ini.File, section, key, value string, bare bool) {
	s := f.Section(section)
	if !s.HasKey(key) {
		if bare {
			_, _ = newBareKey(s, key)
		} else {
			s.Key(key).SetValue(value)
		}
		return
	}
	wasBare := bareKeys(f, section)
	if !wasBare[key] && !bare {
		s.Key(key).SetValue(value)
		return
	}
	// Rebuild the section in order; only the one key changes.
	type kv struct {
		name, value string
		bare        bool
	}
	var keys []kv
	for _, k := range s.Keys() {
		e := kv{k.Name(), k.Value(), wasBare[k.Name()]}
		if e.name == key {
			e.value, e.bare = value, bare
		}
		keys = append(keys, e)
	}
	for _, k := range keys {
		s.DeleteKey(k.name)
	}
	for _, k := range keys {
		if k.bare {
			_, _ = newBareKey(s, k.name)
		} else {
			s.Key(k.name).SetValue(k.value)
		}
	}
}

// bareKeys finds the bare keys of a section.
func bareKeys(f *ini.File, section string) map[string]bool {
	bare := map[string]bool{}
	for _, k := range f.Section(section).Keys() {
		if keyIsBare(k) {
			bare[k.Name()] = true
		}
	}
	return bare
}

// ini.v1 keeps whether a key is bare (its isBooleanType) to itself: no
// method tells. Rather than read its private field through reflection,
// inifile records the bare keys it makes (every bare key is made by
// newBareKey: Parse, SetKey, the default [_config]), in a set that holds
// them weakly, so a parsed file that is dropped takes its entries with it.
var bare sync.Map // weak.Pointer[ini.Key] -> struct{}

// newBareKey adds the bare key name to s and records it as bare.
func newBareKey(s *ini.Section, name string) (*ini.Key, error) {
	k, err := s.NewBooleanKey(name)
	if err != nil {
		return nil, err
	}
	wp := weak.Make(k)
	bare.Store(wp, struct{}{})
	runtime.AddCleanup(k, func(wp weak.Pointer[ini.Key]) { bare.Delete(wp) }, wp)
	return k, nil
}

// keyIsBare reports whether k was made by newBareKey. ini.v1 gives a bare
// key the value "true": any other value settles it without weak.Make,
// which costs an allocation and a runtime lock (27% of `profile list`'s
// CPU on 1,000 profiles when asked of every key). It holds because a bare
// key gets a value only through SetKey, which makes a new key.
func keyIsBare(k *ini.Key) bool {
	if k.Value() != "true" {
		return false
	}
	_, ok := bare.Load(weak.Make(k))
	return ok
}
