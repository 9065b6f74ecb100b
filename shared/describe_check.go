package shared

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

var (
	namePattern   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	envVarPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// ValidTypeName reports whether s can be a store type (the <type> of
// ksm-storage-<type>) or an option name: lower-case words joined by '-'.
func ValidTypeName(s string) bool { return namePattern.MatchString(s) }

// ReservedOptionNames are flags of `ksm profile setup` itself; a store's
// options must not use them.
var ReservedOptionNames = []string{"type", "profile", "p", "from-profile", "force", "help", "h", "ini-file", "debug", "timeout", "name"}

// neverPassed are host variables a plugin must never be given.
var neverPassed = []string{"KSM_TOKEN", "KSM_CONFIG"}

// Check lists what is wrong with a description returned by the plugin
// binary of type typ; nil if nothing. Each problem is one lower-case line.
func (d *Description) Check(typ string) error {
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
		if err := o.check(); err != nil {
			errs = append(errs, err)
		}
	}
	for _, e := range d.Env {
		name := strings.TrimSuffix(e, "*")
		if !envVarPattern.MatchString(name) {
			add("env %q is neither a variable name nor a prefix ending in '*'", e)
			continue
		}
		for _, secret := range neverPassed {
			if secret == e || (name != e && strings.HasPrefix(secret, name)) {
				add("env %q asks for %s, which ksm never passes to a plugin", e, secret)
			}
		}
	}
	return errors.Join(errs...)
}

func (o Option) check() error {
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("option %q: "+format, append([]any{o.Name}, args...)...))
	}
	if !namePattern.MatchString(o.Name) {
		add("name is not lower-case words joined by '-'")
	}
	if slices.Contains(ReservedOptionNames, o.Name) {
		add("name collides with a flag of `ksm profile setup`")
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
		if !envVarPattern.MatchString(v) {
			add("env var %q is not a variable name", v)
		}
	}
	return errors.Join(errs...)
}
