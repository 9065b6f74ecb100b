// Package sdk is all a Go ksm storage plugin imports. A plugin is an
// executable named ksm-storage-<type> whose main is one call:
//
//	func main() { sdk.Serve(mystore.New()) }
//
// The store implements Store. It declares its setup options with String,
// Bool and Enum, checks them with Parse, reads and writes client configs
// with ParseConfig and MarshalConfig, fails with Errorf and a Code, and
// logs with Logger, never to stdout, which carries the plugin protocol.
// Package storagetest checks a built plugin against the contract from go
// test; `ksm plugin check` does the same from the command line. The sdk
// README walks through a whole plugin; docs/plugin-protocol.md is the
// protocol for plugins in other languages.
package sdk
