// Package shared is the storage plugin contract between ksm and its
// ksm-storage-<type> plugins: the Go interface, the data it carries, the
// go-plugin handshake and the typed errors that travel as gRPC status codes.
package shared

import (
	"context"
	"fmt"
)

// ProtocolVersion is the storage protocol version spoken by this module.
const ProtocolVersion = 1

// Store is implemented by every storage plugin and, on the host side, by
// the gRPC client that talks to one. Every call takes a context so that the
// host's deadlines and cancellation reach the plugin, and one request
// struct, answered by one response struct: a later version of the contract
// adds fields to them without breaking a store built against this one (a
// field the store does not know is left at its zero value). The request is
// never nil.
type Store interface {
	// Describe is static: no network, no credentials, no side effects.
	Describe(ctx context.Context, req *DescribeRequest) (*DescribeResponse, error)
	// Validate checks the options given to `ksm profile setup` and returns
	// the settings to persist in the profile's keeper.ini section.
	Validate(ctx context.Context, req *ValidateRequest) (*ValidateResponse, error)
	// Load reads the client config the settings point at.
	Load(ctx context.Context, req *LoadRequest) (*LoadResponse, error)
	// Save stores a client config. Stores without Save return an error with
	// code CodeUnimplemented and leave Description.CanSave false.
	Save(ctx context.Context, req *SaveRequest) (*SaveResponse, error)
}

// DescribeRequest asks a store what it is; it carries nothing yet.
type DescribeRequest struct{}

// DescribeResponse is a store's description of itself.
type DescribeResponse struct {
	Description Description
}

// ValidateRequest holds the options given to `ksm profile setup` (only
// those the user set), by option name.
type ValidateRequest struct {
	Options map[string]string
	// WorkingDir is the absolute path of ksm's working directory, empty
	// when unknown (an older ksm never sets it). The plugin runs in "/",
	// so a relative path among the options is resolved against this, as
	// the user meant it; when it is empty, against the plugin's own.
	WorkingDir string
}

// ValidateResponse holds the settings ksm writes to the profile.
type ValidateResponse struct {
	Settings Settings
}

// LoadRequest asks for the client config a profile's settings point at.
type LoadRequest struct {
	Settings Settings
}

// LoadResponse holds the client config read.
type LoadResponse struct {
	Config Config
}

// Settings are a store's persisted keys in a keeper.ini profile section
// (without the `storage` key itself).
type Settings map[string]string

// Config is a Keeper client-device config: the SDK JSON keys (clientId,
// privateKey, appKey, hostname, serverPublicKeyId, appOwnerPublicKey, ...).
type Config map[string]string

// SaveRequest asks a store to keep a config where settings point.
type SaveRequest struct {
	Settings Settings
	Config   Config
	// Overwrite allows replacing existing data that is not a ksm config.
	Overwrite bool
}

// SaveResponse answers a successful Save; it carries nothing yet.
type SaveResponse struct{}

// OptionType is the kind of value a setup option takes.
type OptionType int

func (t OptionType) String() string {
	switch t {
	case OptionString:
		return "string"
	case OptionBool:
		return "bool"
	case OptionEnum:
		return "enum"
	}
	return fmt.Sprintf("OptionType(%d)", int(t))
}

const (
	OptionString OptionType = iota
	OptionBool
	OptionEnum
)

// Option is one setup option a store accepts; the host turns it into a
// flag of `ksm profile setup --type=<name>`.
type Option struct {
	Name string // flag name without dashes, e.g. "secret"
	// Short is an optional one-letter alias of the flag, e.g. "s" for -s.
	Short     string
	Usage     string
	Type      OptionType
	Default   string
	Allowed   []string // for OptionEnum
	Required  bool
	Sensitive bool     // never echoed; may come from an env var or stdin
	EnvVars   []string // env vars that may supply the value
}

// Description is what Describe returns.
type Description struct {
	Name            string // the <type>, equal to the binary's suffix
	Version         string
	ProtocolVersion int
	Summary         string
	Options         []Option
	CanSave         bool
	// Env names the environment variables the plugin needs from the host
	// (exact names, or prefixes ending in '*', e.g. "AWS_*").
	Env []string
}
