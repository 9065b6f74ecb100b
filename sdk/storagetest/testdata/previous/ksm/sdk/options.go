package sdk

// OptionFunc refines an option declared with String, Bool or Enum.
type OptionFunc func(*Option)

// String declares a setup option that takes any string.
func String(name, usage string, opts ...OptionFunc) Option {
	return option(Option{Name: name, Usage: usage, Type: OptionString}, opts)
}

// Bool declares a setup option that is true or false.
func Bool(name, usage string, opts ...OptionFunc) Option {
	return option(Option{Name: name, Usage: usage, Type: OptionBool}, opts)
}

// Enum declares a setup option that takes one of allowed.
func Enum(name, usage string, allowed []string, opts ...OptionFunc) Option {
	return option(Option{Name: name, Usage: usage, Type: OptionEnum, Allowed: allowed}, opts)
}

func option(o Option, opts []OptionFunc) Option {
	for _, f := range opts {
		f(&o)
	}
	return o
}

// Required makes the option mandatory.
func Required() OptionFunc { return func(o *Option) { o.Required = true } }

// Default gives the value used when the option is not set.
func Default(v string) OptionFunc { return func(o *Option) { o.Default = v } }

// Sensitive marks a value that must not appear in argv, logs or errors;
// ksm lets the user give it through an env var or stdin.
func Sensitive() OptionFunc { return func(o *Option) { o.Sensitive = true } }

// EnvVars names environment variables (read by ksm) that may supply the value.
func EnvVars(names ...string) OptionFunc {
	return func(o *Option) { o.EnvVars = append(o.EnvVars, names...) }
}
