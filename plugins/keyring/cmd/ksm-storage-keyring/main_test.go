//go:build linux

package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ksm-cli/ksm/internal/launch"
	"github.com/ksm-cli/ksm/plugins/keyring/keyringtest"
	"github.com/ksm-cli/ksm/sdk/storagetest"
	"github.com/ksm-cli/ksm/shared"
)

var binary string

func TestMain(m *testing.M) { storagetest.Main(m, ".", "keyring", &binary) }

// TestConformance runs ksm-storage-keyring as ksm does (its own process,
// only the session's environment) through the whole contract, against a
// real GNOME Keyring.
func TestConformance(t *testing.T) {
	s := keyringtest.Start(t)
	storagetest.Run(t, storagetest.Config{
		Binary:       binary,
		Env:          s.Env,
		ValidOptions: map[string]string{"item": "ksm-cli-profile-conformance"},
		InvalidOptions: []map[string]string{
			{"item": "ksm-cli-common"},
			{"item": "ksm-cli-profile-x-integrity"},
			{"item": "ksm-cli-profile-not a keeper name"},
			{"item": "line\nbreak"},
			{"item": strings.Repeat("x", 257)},
		},
		MissingSettings: shared.Settings{"service": "KSM-cli", "item": "ksm-cli-profile-missing"},
	})
}

// start launches the built plugin with exactly env, as ksm does.
func start(t testing.TB, env []string) shared.Store {
	t.Helper()
	cmd := exec.Command(binary)
	cmd.Env = append([]string{}, env...)
	conn, err := launch.Launch(context.Background(), launch.LaunchConfig{Cmd: cmd})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn.Store
}

func settings(item string) shared.Settings {
	return shared.Settings{"service": "KSM-cli", "item": item}
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

// sample is a config with what Keeper's keys never hold but a JSON
// encoder must get right: non-ASCII, quotes, backslashes, a control
// character, an astral character, HTML characters.
func sample() shared.Config {
	c := storagetest.FakeConfig()
	c["hostname"] = "keepersecurity.com"
	c["note"] = "é \"q\" \\ \x01 \U0001F511 <&> /"
	return c
}

func keeperJSON(t testing.TB, c shared.Config) string {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

func sha256hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
