// Package keeper is ksm's one door to Keeper Secrets Manager. It redeems a
// one-time access token for a client-device config (Bind) and reads the
// records shared with that application (Fetch) through Keeper's own Go
// SDK, github.com/keeper-security/secrets-manager-go/core, which speaks
// the protocol, does the crypto and sends its own client version.
//
// What the package adds is containment of the SDK: it always hands the
// SDK an in-memory config (the SDK would read KSM_CONFIG, a config file or
// KSM_TOKEN on its own), validates the token before the SDK sees it, keeps
// the SDK's log off the terminal (debug only, redacted), gives it a
// transport bound to the caller's ctx with dial, TLS and response
// deadlines, runs it where it can be abandoned, and maps its errors to
// ksm's one-line messages. Nothing it returns as an error or logs
// contains a token, a key or decrypted record data.
package keeper
