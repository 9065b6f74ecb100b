package shared

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The patterns compile on first use, not at start-up: every ksm command
// links this package, few check a description.
var (
	namePattern   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`) })
	envVarPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) })
)

// ValidTypeName reports whether s can be a store type (the <type> of
// ksm-storage-<type>) or an option name: lower-case words joined by '-'.
func ValidTypeName(s string) bool { return namePattern().MatchString(s) }

// neverPassed are ksm's own secrets: a plugin is never given them, even if
// it declares them. Every variable starting with neverPassedPrefix is one
// (KSM_CONFIG, KSM_CONFIG_BASE64_1, ...).
var neverPassed = []string{"KSM_TOKEN", "KSM_CLI_TOKEN"}

const neverPassedPrefix = "KSM_CONFIG"

// NeverPassed reports whether ksm withholds the host variable name from
// every plugin: KSM_TOKEN, KSM_CLI_TOKEN and KSM_CONFIG*.
func NeverPassed(name string) bool {
	return slices.Contains(neverPassed, name) || strings.HasPrefix(name, neverPassedPrefix)
}

// EnvMatches reports whether one of patterns (Description.Env's form: exact
// names, or prefixes ending in '*') names the variable name.
func EnvMatches(patterns []string, name string) bool {
	for _, p := range patterns {
		if prefix, ok := strings.CutSuffix(p, "*"); ok {
			if prefix != "" && strings.HasPrefix(name, prefix) {
				return true
			}
		} else if name == p {
			return true
		}
	}
	return false
}

// minEnvPrefix is the shortest prefix an env pattern may name, its '_'
// included: "AWS_*" is a prefix, "A*" or "*" would be most of the
// environment.
const minEnvPrefix = 3

// Check lists what is wrong with a description returned by the plugin
// binary of type typ; nil if nothing. Each problem is one lower-case line.
// reserved are the names the host keeps for itself (its own flags and the
// keys it writes beside a store's settings); no option may take one.
func (d *Description) Check(typ string, reserved []string) error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	switch {
	case !ValidTypeName(d.Name):
		add("name %q is not lower-case words joined by '-'", d.Name)
	case d.Name != typ:
		add("name %q differs from the binary's name %s%s", d.Name, BinaryPrefix, typ)
	}
	if d.ProtocolVersion != ProtocolVersion {
		add("protocol version %d, want %d", d.ProtocolVersion, ProtocolVersion)
	}
	if strings.TrimSpace(d.Version) == "" {
		add("no version")
	}
	seen := map[string]bool{}
	for _, o := range d.Options {
		if seen[o.Name] {
			add("option %q declared twice", o.Name)
		}
		seen[o.Name] = true
		if err := o.check(reserved); err != nil {
			errs = append(errs, err)
		}
	}
	// A short name becomes a flag alias beside every long name: two flags
	// of one name would make `profile setup` unusable.
	shortOf := map[string]string{}
	for _, o := range d.Options {
		if o.Short == "" {
			continue
		}
		if other, ok := shortOf[o.Short]; ok {
			add("option %q: short name %q is also the short name of option %q", o.Name, o.Short, other)
		} else if seen[o.Short] {
			add("option %q: short name %q is the name of another option", o.Name, o.Short)
		}
		shortOf[o.Short] = o.Name
	}
	for _, e := range d.Env {
		name, isPrefix := strings.CutSuffix(e, "*")
		switch {
		case !envVarPattern().MatchString(name):
			add("env %q is neither a variable name nor a prefix ending in '*'", e)
			continue
		case isPrefix && (len(name) < minEnvPrefix || !strings.HasSuffix(name, "_")):
			add("env %q is too broad: a prefix names at least two characters and ends in '_' (like \"AWS_*\")", e)
			continue
		}
		for _, secret := range append(neverPassed, neverPassedPrefix) {
			if secret == name || (isPrefix && (strings.HasPrefix(secret, name) || strings.HasPrefix(name, secret))) ||
				(!isPrefix && secret == neverPassedPrefix && NeverPassed(name)) {
				add("env %q asks for %s, which ksm never passes to a plugin", e, secret)
			}
		}
	}
	return errors.Join(errs...)
}

func (o Option) check(reserved []string) error {
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("option %q: "+format, append([]any{o.Name}, args...)...))
	}
	if !namePattern().MatchString(o.Name) {
		add("name is not lower-case words joined by '-'")
	}
	if slices.Contains(reserved, o.Name) {
		add("name is reserved by ksm (a flag of `ksm profile setup`, or a key it writes)")
	}
	if o.Short != "" {
		switch {
		case !isASCIILetter(o.Short):
			add("short name %q is not one ASCII letter", o.Short)
		case slices.Contains(reserved, o.Short):
			add("short name %q is reserved by ksm (a flag of `ksm profile setup` or a global flag)", o.Short)
		}
	}
	if strings.TrimSpace(o.Usage) == "" {
		add("no usage text")
	}
	if o.Required && o.Default != "" {
		add("required but has a default")
	}
	switch o.Type {
	case OptionString:
	case OptionBool:
		if _, err := strconv.ParseBool(o.Default); o.Default != "" && err != nil {
			add("default %q is not true or false", o.Default)
		}
	case OptionEnum:
		if len(o.Allowed) == 0 {
			add("enum without allowed values")
		}
		if o.Default != "" && !slices.Contains(o.Allowed, o.Default) {
			add("default %q is not one of the allowed values", o.Default)
		}
	default:
		add("unknown type %d", int(o.Type))
	}
	if o.Type != OptionEnum && len(o.Allowed) > 0 {
		add("allowed values on a %s option", o.Type)
	}
	for _, v := range o.EnvVars {
		if !envVarPattern().MatchString(v) {
			add("env var %q is not a variable name", v)
		}
	}
	return errors.Join(errs...)
}

func isASCIILetter(s string) bool {
	return len(s) == 1 && ('a' <= s[0] && s[0] <= 'z' || 'A' <= s[0] && s[0] <= 'Z')
}
