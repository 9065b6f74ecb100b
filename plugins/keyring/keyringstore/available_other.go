//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package keyringstore

// sessionBus: macOS and Windows keyrings need no session bus.
func sessionBus(func(string) string) string { return "" }
