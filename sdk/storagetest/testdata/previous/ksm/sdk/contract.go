package sdk

import "github.com/ksm-cli/ksm/shared"

// The contract's types, under the names a plugin author uses: a plugin
// imports sdk alone. They are the same types as in package shared.
type (
	// Store is what a plugin implements. Every call takes the host's ctx:
	// return when it is done (its deadline is ksm's --timeout).
	Store = shared.Store
	// Description is what Describe returns. Leave ProtocolVersion zero
	// (Serve fills it); Version empty is filled from the module's version.
	Description = shared.Description
	// Option is a setup option; declare one with String, Bool or Enum.
	Option = shared.Option
	// Settings are what Validate returns and ksm keeps in keeper.ini.
	Settings = shared.Settings
	// Config is a client-device config: the SDK JSON keys (clientId,
	// privateKey, appKey, hostname, ...).
	Config = shared.Config
	// SaveRequest is what Save gets.
	SaveRequest = shared.SaveRequest
	// OptionType is an option's kind (String, Bool and Enum set it).
	OptionType = shared.OptionType
	// Code classifies an error; ksm explains each code differently.
	Code = shared.Code
)

// The option types.
const (
	OptionString = shared.OptionString
	OptionBool   = shared.OptionBool
	OptionEnum   = shared.OptionEnum
)

// The error codes (see Errorf). The sdk README's table says which to use
// when.
const (
	CodeUnknown            = shared.CodeUnknown
	CodeInvalidArgument    = shared.CodeInvalidArgument
	CodeNotFound           = shared.CodeNotFound
	CodeAlreadyExists      = shared.CodeAlreadyExists
	CodePermissionDenied   = shared.CodePermissionDenied
	CodeUnauthenticated    = shared.CodeUnauthenticated
	CodeUnavailable        = shared.CodeUnavailable
	CodeDeadlineExceeded   = shared.CodeDeadlineExceeded
	CodeUnimplemented      = shared.CodeUnimplemented
	CodeFailedPrecondition = shared.CodeFailedPrecondition
	CodeCanceled           = shared.CodeCanceled
)

// Errorf returns an error with a code. The message is one lower-case line
// that says what failed and what to do; it never contains a secret.
func Errorf(code Code, format string, args ...any) error {
	return shared.Errorf(code, format, args...)
}

// ParseConfig reads a client config written as SDK JSON or base64 of it
// and checks its required keys; the error never quotes the input.
func ParseConfig(data []byte) (Config, error) { return shared.ParseConfig(data) }

// MarshalConfig writes a client config as Keeper's CLI does (indented SDK
// JSON, keys in Keeper's order).
func MarshalConfig(c Config) []byte { return shared.MarshalConfig(c) }

// CodeOf returns the code of err (CodeUnknown if it has none), e.g. in a
// store's tests.
func CodeOf(err error) Code { return shared.CodeOf(err) }
