package keyringstore

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"

	"github.com/ksm-cli/ksm/shared"
)

func TestKeyringErrorByType(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want shared.Code
		in   string // in the message
	}{
		{"no Secret Service (value)", dbus.Error{Name: dbusServiceUnknown, Body: []any{"The name org.freedesktop.secrets was not provided"}},
			shared.CodeFailedPrecondition, "has no Secret Service"},
		{"no Secret Service (pointer, wrapped)", fmt.Errorf("get: %w", &dbus.Error{Name: dbusServiceUnknown}),
			shared.CodeFailedPrecondition, "has no Secret Service"},
		{"unlock refused", fmt.Errorf("%s '/org/freedesktop/secrets/collection/login'", unlockWording),
			shared.CodePermissionDenied, "was not unlocked"},
		{"dial refused", &net.OpError{Op: "dial", Net: "unix", Err: os.NewSyscallError("connect", errors.New("connection refused"))},
			shared.CodeFailedPrecondition, "cannot reach the Secret Service"},
		{"connection closed", dbus.ErrClosed, shared.CodeFailedPrecondition, "cannot reach the Secret Service"},
		{"godbus untyped", errors.New("dbus: authentication failed"), shared.CodeFailedPrecondition, "cannot reach the Secret Service"},
		{"other D-Bus error", dbus.Error{Name: "org.freedesktop.DBus.Error.AccessDenied"}, shared.CodeFailedPrecondition, "cannot reach"},
		// "login" holds "log", "dbus" does not appear: no accidental match.
		{"unrelated", errors.New("login item is odd"), shared.CodeUnavailable, "OS keyring: login item is odd"},
		{"not found stays", ErrNotFound, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := keyringError(tt.err)
			if tt.want == 0 {
				if got != tt.err {
					t.Fatalf("keyringError = %v, want the error itself", got)
				}
				return
			}
			if shared.CodeOf(got) != tt.want || !strings.Contains(got.Error(), tt.in) {
				t.Errorf("keyringError = %v (%v), want %v containing %q", got, shared.CodeOf(got), tt.want, tt.in)
			}
		})
	}
}

// The libraries give two errors no type; their wording, matched in
// dbuserrors.go, is pinned here against the libraries' own sources.
func TestLibraryErrorWording(t *testing.T) {
	if !godbusError(dbus.ErrClosed) {
		t.Errorf("godbus's ErrClosed %q no longer starts with %q", dbus.ErrClosed, godbusPrefix)
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/zalando/go-keyring").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	src, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "secret_service", "secret_service.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), `fmt.Errorf("`+unlockWording) {
		t.Errorf("go-keyring no longer says %q when the unlock is refused", unlockWording)
	}
}
