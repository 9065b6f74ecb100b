// Package sdk is what a ksm storage plugin imports. A plugin is an
// executable named ksm-storage-<type> whose main is one call:
//
//	func main() { sdk.Serve(mystore.New()) }
//
// The store implements shared.Store. It declares its setup options with
// String, Bool and Enum, checks them with Parse, reads and writes client
// configs with shared.ParseConfig and shared.MarshalConfig, and logs with
// Logger, never to stdout, which carries the plugin protocol. Package
// storagetest checks a built plugin against the contract.
package sdk
