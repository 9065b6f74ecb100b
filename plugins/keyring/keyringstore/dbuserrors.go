package keyringstore

import (
	"errors"
	"net"
	"os"
	"strings"

	"github.com/godbus/dbus/v5"
)

// dbusServiceUnknown is the D-Bus error for a name nothing provides: here,
// no Secret Service on the session bus.
const dbusServiceUnknown = "org.freedesktop.DBus.Error.ServiceUnknown"

// dbusErrorName is the name of a D-Bus error reply in err's chain, "" if
// none; godbus returns both dbus.Error and *dbus.Error.
func dbusErrorName(err error) string {
	var v dbus.Error
	if errors.As(err, &v) {
		return v.Name
	}
	var p *dbus.Error
	if errors.As(err, &p) && p != nil {
		return p.Name
	}
	return ""
}

// busUnreachable: the session bus could not be dialled, refused us, or
// answered with a D-Bus error of its own.
func busUnreachable(err error) bool {
	var opErr *net.OpError
	var sysErr *os.SyscallError
	return errors.As(err, &opErr) || errors.As(err, &sysErr) || errors.Is(err, dbus.ErrClosed) ||
		strings.HasPrefix(dbusErrorName(err), "org.freedesktop.DBus.Error.") || godbusError(err)
}

// The two places that read an error's text, because the libraries give
// these errors no type. TestLibraryErrorWording pins both wordings against
// the libraries' sources, so an upgrade that rewords them fails there.
const (
	// godbusPrefix starts every untyped error godbus returns
	// (errors.New("dbus: authentication failed"), ...).
	godbusPrefix = "dbus: "
	// unlockWording starts go-keyring's error when the Secret Service
	// did not unlock the collection (its prompt was dismissed).
	unlockWording = "failed to unlock correct collection"
)

func godbusError(err error) bool { return strings.HasPrefix(err.Error(), godbusPrefix) }

func unlockRefused(err error) bool { return strings.HasPrefix(err.Error(), unlockWording) }
