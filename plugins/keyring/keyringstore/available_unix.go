//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package keyringstore

import (
	"os"
	"path/filepath"
)

// sessionBus says why there is no D-Bus session bus to reach the Secret
// Service through, or "". Without this check the D-Bus library would try
// to autolaunch a bus with dbus-launch, which can hang on a server.
func sessionBus(getenv func(string) string) string {
	if getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return ""
	}
	if dir := getenv("XDG_RUNTIME_DIR"); dir != "" {
		if fi, err := os.Stat(filepath.Join(dir, "bus")); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return ""
		}
	}
	return "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set), so no Secret Service"
}
