package sdk

import (
	"context"
	"errors"

	"github.com/ksm-cli/ksm/shared"
)

// Store is what a plugin implements. Every call takes the host's ctx
// (return when it is done: its deadline is ksm's --timeout) and one
// request struct, and returns one response struct: a later sdk adds
// fields to them without breaking a store built against this one. The
// request is never nil.
//
// It has the method set of shared.Store, the interface ksm calls; either
// converts to the other.
type Store interface {
	// Describe is static: no network, no credentials, no side effects.
	Describe(ctx context.Context, req *DescribeRequest) (*DescribeResponse, error)
	// Validate checks the options given to `ksm profile setup` and returns
	// the settings ksm writes to the profile's keeper.ini section. It makes
	// no network call: setup may run where the store is not reachable yet.
	Validate(ctx context.Context, req *ValidateRequest) (*ValidateResponse, error)
	// Load reads the client config the settings point at.
	Load(ctx context.Context, req *LoadRequest) (*LoadResponse, error)
	// Save stores a client config. A store without Save returns an error
	// with CodeUnimplemented and leaves Description.CanSave false.
	Save(ctx context.Context, req *SaveRequest) (*SaveResponse, error)
}

// The data of the contract, under the names a plugin author uses: a plugin
// imports sdk alone. Package shared defines them (their fields: `go doc
// github.com/ksm-cli/ksm/shared Description`); they are the same types.
type (
	// DescribeRequest is what Describe gets; it carries nothing yet.
	DescribeRequest = shared.DescribeRequest
	// DescribeResponse holds the store's Description.
	DescribeResponse = shared.DescribeResponse
	// Description is a store's description of itself: Name (the <type>),
	// Version, ProtocolVersion, Summary, Options, CanSave and Env (the
	// variables it needs from the user's environment: ksm passes no other).
	// Leave ProtocolVersion zero and Serve fills it; Version empty is
	// filled from the module's version.
	Description = shared.Description
	// Option is a setup option (a flag of `ksm profile setup`); declare one
	// with String, Bool or Enum.
	Option = shared.Option
	// ValidateRequest is what Validate gets: Options, the values the user
	// set, and WorkingDir, where ksm runs: the plugin runs in "/", so a
	// relative path among the options is resolved against WorkingDir (or
	// against the plugin's own when it is empty, as from an older ksm).
	ValidateRequest = shared.ValidateRequest
	// ValidateResponse holds the Settings ksm keeps in keeper.ini.
	ValidateResponse = shared.ValidateResponse
	// LoadRequest is what Load gets: the profile's Settings.
	LoadRequest = shared.LoadRequest
	// LoadResponse holds the Config read.
	LoadResponse = shared.LoadResponse
	// SaveRequest is what Save gets: Settings, Config, and Overwrite (may
	// replace data that is not a ksm config: the user gave --force).
	SaveRequest = shared.SaveRequest
	// SaveResponse answers a Save; it carries nothing yet.
	SaveResponse = shared.SaveResponse
	// Settings are what Validate returns and ksm keeps in keeper.ini.
	Settings = shared.Settings
	// Config is a client-device config: the SDK JSON keys (clientId,
	// privateKey, appKey, hostname, ...).
	Config = shared.Config
	// OptionType is an option's kind (String, Bool and Enum set it).
	OptionType = shared.OptionType
	// Code classifies an error; ksm explains each code differently.
	Code = shared.Code
	// Error is the error Errorf and NewError return: a Code, a Message
	// (what failed: one lower-case line, never a secret) and a Hint (what
	// to do, may be empty). Its Error() is "message; hint": ksm prints it
	// once, after naming the store. errors.As finds it in a chain.
	Error = shared.Error
)

// The SDK JSON keys of a client config, as Keeper's CLI writes them.
const (
	KeyClientID          = shared.KeyClientID
	KeyPrivateKey        = shared.KeyPrivateKey
	KeyAppKey            = shared.KeyAppKey
	KeyHostname          = shared.KeyHostname
	KeyServerPublicKeyID = shared.KeyServerPublicKeyID
	KeyAppOwnerPublicKey = shared.KeyAppOwnerPublicKey
	KeyServerPublicKey   = shared.KeyServerPublicKey // private deployments only
)

// OrderedKeys are a config's keys in the order Keeper's CLI writes them:
// the known keys first, any others after them, sorted.
func OrderedKeys(c Config) []string { return shared.OrderedKeys(c) }

// DecodeBase64 decodes either base64 alphabet, padded or not, ignoring
// white space (configs are often pasted wrapped).
func DecodeBase64(s string) ([]byte, error) { return shared.DecodeBase64(s) }

// A Store is a shared.Store and the other way round: the contract has one
// method set.
var (
	_ shared.Store = Store(nil)
	_ Store        = shared.Store(nil)
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

// NewError returns an error with a code, a message that says what failed
// and a hint that says what to do ("" for none), e.g.
//
//	sdk.NewError(sdk.CodeUnauthenticated, "the token was refused", "run `login` again")
//
// reads "the token was refused; run `login` again". A server's or client
// library's text put in either goes through Redact and OneLine first.
func NewError(code Code, message, hint string) *Error {
	return &shared.Error{Code: code, Message: message, Hint: hint}
}

// ContextError is the error for a call whose ctx is done: CodeDeadlineExceeded
// ("timed out") once its deadline passed, CodeCanceled ("canceled") once
// ksm cancelled it. It is nil while ctx is not done. Check it before
// explaining a failure: an expired ctx makes a client library fail with
// some network error, which would send the user to debug the wrong thing.
// It returns *Error so that a store can reword it (Message, Hint); test
// the result against nil before returning it as an error.
func ContextError(ctx context.Context) *Error {
	switch err := ctx.Err(); {
	case err == nil:
		return nil
	case errors.Is(err, context.DeadlineExceeded):
		return NewError(CodeDeadlineExceeded, "timed out", "")
	default:
		return NewError(CodeCanceled, "canceled", "")
	}
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
