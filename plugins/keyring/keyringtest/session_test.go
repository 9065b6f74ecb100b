package keyringtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The session is the test's own: its keyring files live under its temp
// HOME, and Python's keyring reaches that keyring.
func TestSessionIsPrivate(t *testing.T) {
	s := Start(t)
	if _, err := s.Keeper(t, "secret-value", "set", "keyringtest-item"); err != nil {
		t.Fatal(err)
	}
	if out, err := s.Keeper(t, "", "get", "keyringtest-item"); err != nil || out != "secret-value" {
		t.Fatalf("read back %q, %v", out, err)
	}
	if out, err := s.Keeper(t, "", "backend"); err != nil || !strings.Contains(out, "SecretService") {
		t.Errorf("Python's keyring backend: %q %v", out, err)
	}
	if _, err := os.Stat(filepath.Join(s.Home, ".local", "share", "keyrings", "login.keyring")); err != nil {
		t.Errorf("the keyring file is not under the session's HOME: %v", err)
	}
	for _, kv := range s.Env {
		if strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") && kv != "DBUS_SESSION_BUS_ADDRESS="+s.Address {
			t.Errorf("session env has %s", kv)
		}
	}
}

// Without a Secret Service, Python's keyring finds no keyring either: the
// bus alone starts nothing on demand.
func TestBusWithoutSecretService(t *testing.T) {
	s := StartBus(t)
	if _, err := s.Keeper(t, "x", "set", "keyringtest-item"); err == nil {
		t.Error("Python stored an item on a bus without a Secret Service")
	}
}
