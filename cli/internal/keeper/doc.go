// Package keeper is a small client for Keeper Secrets Manager's REST
// protocol: it redeems a one-time access token for a client-device config
// (Bind) and reads the records shared with that application (Fetch).
//
// It uses only Go's standard crypto. Nothing it returns as an error or logs
// contains a token, a key or decrypted record data.
package keeper

// ClientVersion is what Keeper's own Go SDK (secrets-manager-go core
// v1.6.2, keeper_globals.go) sends as clientVersion. Keeper's server only
// answers client versions it has registered, so ours borrows a real one.
const ClientVersion = "mg16.6.2"

// DefaultServerPublicKeyID is the key id Keeper's SDKs start with.
const DefaultServerPublicKeyID = 10
