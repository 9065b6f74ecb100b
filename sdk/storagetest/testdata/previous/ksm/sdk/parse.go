package sdk

import (
	"slices"
	"strconv"
	"strings"
)

// Values are option values checked by Parse, defaults applied: every
// declared option has an entry ("" when unset and without default).
type Values map[string]string

// String returns the value of option name.
func (v Values) String(name string) string { return v[name] }

// Bool returns the value of a Bool option.
func (v Values) Bool(name string) bool { return v[name] == "true" }

// Parse checks given (the options map of Validate) against the declared
// options: no unknown names, required ones set, bools and enums valid.
// Errors have code InvalidArgument and never repeat a sensitive value.
func Parse(declared []Option, given map[string]string) (Values, error) {
	byName := make(map[string]Option, len(declared))
	for _, o := range declared {
		byName[o.Name] = o
	}
	for name := range given {
		if _, ok := byName[name]; !ok {
			return nil, Errorf(CodeInvalidArgument, "unknown option --%s (known: %s)", name, optionList(declared))
		}
	}
	values := make(Values, len(declared))
	for _, o := range declared {
		v := given[o.Name]
		if v == "" {
			v = o.Default
		}
		if v == "" {
			if o.Required {
				return nil, Errorf(CodeInvalidArgument, "--%s is required", o.Name)
			}
			values[o.Name] = ""
			continue
		}
		norm, err := check(o, v)
		if err != nil {
			return nil, err
		}
		values[o.Name] = norm
	}
	return values, nil
}

func check(o Option, v string) (string, error) {
	switch o.Type {
	case OptionBool:
		b, err := strconv.ParseBool(v)
		if err != nil {
			return "", Errorf(CodeInvalidArgument, "--%s takes true or false%s", o.Name, given(o, v))
		}
		return strconv.FormatBool(b), nil
	case OptionEnum:
		if !slices.Contains(o.Allowed, v) {
			return "", Errorf(CodeInvalidArgument, "--%s must be one of %s%s", o.Name, strings.Join(o.Allowed, ", "), given(o, v))
		}
	}
	return v, nil
}

func given(o Option, v string) string {
	if o.Sensitive {
		return ""
	}
	return " (got " + strconv.Quote(v) + ")"
}

func optionList(declared []Option) string {
	if len(declared) == 0 {
		return "none"
	}
	names := make([]string, len(declared))
	for i, o := range declared {
		names[i] = "--" + o.Name
	}
	return strings.Join(names, ", ")
}
