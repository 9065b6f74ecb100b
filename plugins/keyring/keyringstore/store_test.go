package keyringstore

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ksm-cli/ksm/internal/storecall"
	"github.com/ksm-cli/ksm/shared"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		options map[string]string
		want    shared.Settings
		wantErr string
	}{
		{"defaults", map[string]string{}, shared.Settings{"service": "KSM-cli", "item": "ksm-cli-profile-_default"}, ""},
		{"keeper profile", map[string]string{"item": "ksm-cli-profile-prod"}, shared.Settings{"service": "KSM-cli", "item": "ksm-cli-profile-prod"}, ""},
		{"own service, any item", map[string]string{"service": "my-app", "item": "ksm-cli-profile-a b"}, shared.Settings{"service": "my-app", "item": "ksm-cli-profile-a b"}, ""},
		{"index", map[string]string{"item": "ksm-cli-common"}, nil, "--item ksm-cli-common is Keeper's profile list, not a profile; give ksm-cli-profile-NAME"},
		{"integrity", map[string]string{"item": "ksm-cli-profile-a-integrity"}, nil, "--item ksm-cli-profile-a-integrity names an integrity item; give the item itself"},
		{"not a keeper name", map[string]string{"item": "ksm-cli-profile-a.b"}, nil, "--item ksm-cli-profile-a.b: Keeper's CLI only reads profile names of 1-64 letters, digits, - and _"},
		{"keeper name too long", map[string]string{"item": "ksm-cli-profile-" + strings.Repeat("a", 65)}, nil, "Keeper's CLI only reads profile names"},
		{"control character", map[string]string{"item": "a\x1b[31mb"}, nil, `the keyring item name "a\x1b[31mb" holds a control character`},
		{"too long", map[string]string{"service": strings.Repeat("s", 257)}, nil, "the keyring service name is longer than 256 bytes"},
		{"unknown option", map[string]string{"path": "/x"}, nil, "unknown option --path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := storecall.Validate(context.Background(), New(Options{}), tt.options)
			if tt.wantErr != "" {
				if shared.CodeOf(err) != shared.CodeInvalidArgument || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v %v, want %q", shared.CodeOf(err), err, tt.wantErr)
				}
				return
			}
			if err != nil || len(got) != len(tt.want) || got["item"] != tt.want["item"] || got["service"] != tt.want["service"] {
				t.Fatalf("got %v %v, want %v", got, err, tt.want)
			}
		})
	}
}

// hungKeyring never answers, as a keyring waiting on its unlock prompt.
type hungKeyring struct{ release chan struct{} }

func (h hungKeyring) Get(string, string) (string, error) { <-h.release; return "", ErrNotFound }
func (h hungKeyring) Set(string, string, string) error   { <-h.release; return nil }

func TestHungKeyringFailsAtTheDeadline(t *testing.T) {
	// (Save also waits on the save lock, in XDG_RUNTIME_DIR: free here.)
	h := hungKeyring{release: make(chan struct{})}
	defer close(h.release)
	runtime := t.TempDir()
	s := &Store{kr: h, getenv: func(name string) string {
		return map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x", "XDG_RUNTIME_DIR": runtime}[name]
	}}
	settings := shared.Settings{"service": "KSM-cli", "item": "ksm-cli-profile-a"}
	for _, call := range []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"load", func(ctx context.Context) error { _, err := storecall.Load(ctx, s, settings); return err }},
		{"save", func(ctx context.Context) error {
			return storecall.Save(ctx, s, shared.SaveRequest{Settings: settings, Config: shared.Config{"clientId": "c", "privateKey": "p", "appKey": "a", "hostname": "h"}})
		}},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		begin := time.Now()
		err := call.run(ctx)
		cancel()
		if shared.CodeOf(err) != shared.CodeDeadlineExceeded || !strings.Contains(err.Error(), "locked and waiting for its unlock prompt") {
			t.Errorf("%s: got %v %v", call.name, shared.CodeOf(err), err)
		}
		if took := time.Since(begin); took > time.Second {
			t.Errorf("%s: returned after %v with a 50ms deadline", call.name, took)
		}
	}
}

// A save waits for another ksm's save, until its deadline.
func TestSaveWaitsForTheLock(t *testing.T) {
	runtime := t.TempDir()
	getenv := func(name string) string {
		return map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x", "XDG_RUNTIME_DIR": runtime}[name]
	}
	holder := &Store{getenv: getenv}
	unlock, err := holder.lockSaves(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s := &Store{kr: hungKeyring{release: make(chan struct{})}, getenv: getenv}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err = storecall.Save(ctx, s, shared.SaveRequest{Settings: shared.Settings{"service": "KSM-cli", "item": "x"},
		Config: shared.Config{"clientId": "c", "privateKey": "p", "appKey": "a", "hostname": "h"}})
	if shared.CodeOf(err) != shared.CodeDeadlineExceeded || !strings.HasPrefix(err.Error(), "timed out waiting for another ksm saving to the OS keyring") {
		t.Errorf("got %v %v", shared.CodeOf(err), err)
	}
	unlock()
	if fi, err := os.Stat(filepath.Join(runtime, "ksm-keyring.lock")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file: %v %v", fi, err)
	}
}

// mapKeyring is an in-memory keyring, for the store's checks that come
// before or after the keyring itself.
type mapKeyring map[string]string

func (m mapKeyring) Get(service, item string) (string, error) {
	v, ok := m[service+"\x00"+item]
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}
func (m mapKeyring) Set(service, item, secret string) error {
	m[service+"\x00"+item] = secret
	return nil
}

func TestLoadRefusesHostileSettingsAndItems(t *testing.T) {
	big := strings.Repeat("A", maxItem+1)
	kr := mapKeyring{"KSM-cli\x00big": big, "KSM-cli\x00big-integrity": integrity(big)}
	s := &Store{kr: kr, getenv: func(string) string { return "unix:path=/x" }}
	tests := []struct {
		name     string
		settings shared.Settings
		want     string
	}{
		{"escape in service", shared.Settings{"service": "a\x1b[2J", "item": "ksm-cli-common"}, "the profile's keyring item or service name holds a control character"},
		{"newline in item", shared.Settings{"service": "KSM-cli", "item": "a\nb"}, "the profile's keyring item or service name holds a control character"},
		{"no item", shared.Settings{"service": "KSM-cli"}, "the profile has no keyring item or service setting"},
		{"huge item", shared.Settings{"service": "KSM-cli", "item": "big"}, "keyring item big (service KSM-cli) is larger than 64 KiB: not a ksm config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := storecall.Load(context.Background(), s, tt.settings)
			if shared.CodeOf(err) != shared.CodeInvalidArgument || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("got %v %v, want %q", shared.CodeOf(err), err, tt.want)
			}
		})
	}
}

// Saving Keeper's list takes only a profile to make active: never a
// client config (that would overwrite the list with keys) or a bad name.
func TestSaveActiveRefusesAnythingElse(t *testing.T) {
	kr := mapKeyring{}
	runtime := t.TempDir()
	s := &Store{kr: kr, getenv: func(name string) string {
		return map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x", "XDG_RUNTIME_DIR": runtime}[name]
	}}
	settings := shared.Settings{"service": "KSM-cli", "item": "ksm-cli-common"}
	for _, cfg := range []shared.Config{
		{"clientId": "c", "privateKey": "p", "appKey": "a", "hostname": "h"},
		{"active_profile": "a b"},
		{"active_profile": "dev", "clientId": "c"},
	} {
		err := storecall.Save(context.Background(), s, shared.SaveRequest{Settings: settings, Config: cfg})
		if shared.CodeOf(err) != shared.CodeInvalidArgument {
			t.Errorf("%v: got %v %v", cfg, shared.CodeOf(err), err)
		}
	}
	if len(kr) != 0 {
		t.Errorf("refused saves wrote %d items", len(kr))
	}
}

// ksm's `profile active` writes Keeper's list exactly as Keeper's CLI 1.4
// writes it for its own `profile active` (recorded in testdata: the same
// text, so the same integrity hash), starting from items Keeper wrote.
func TestSaveActiveWritesWhatKeeperWrites(t *testing.T) {
	data, err := os.ReadFile("testdata/keeper-cli-1.4-active.json")
	if err != nil {
		t.Fatal(err)
	}
	var rec struct{ Before, After map[string]string }
	if err := json.Unmarshal(data, &rec); err != nil || len(rec.Before) == 0 || len(rec.After) != 2 {
		t.Fatalf("fixture: %v (%d items before, %d after)", err, len(rec.Before), len(rec.After))
	}
	kr := mapKeyring{}
	for item, text := range rec.Before {
		kr["KSM-cli\x00"+item] = text
	}
	runtime := t.TempDir()
	s := &Store{kr: kr, getenv: func(name string) string {
		return map[string]string{"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x", "XDG_RUNTIME_DIR": runtime}[name]
	}}
	settings := shared.Settings{"service": "KSM-cli", "item": "ksm-cli-common"}
	if err := storecall.Save(context.Background(), s, shared.SaveRequest{Settings: settings, Config: shared.Config{"active_profile": "dev"}}); err != nil {
		t.Fatal(err)
	}
	for item, want := range rec.After {
		if got := kr["KSM-cli\x00"+item]; got != want {
			t.Errorf("%s:\n got %q\nwant %q (Keeper's CLI)", item, got, want)
		}
	}
	// Both CLIs' items are read back: the list, now naming dev.
	idx, err := storecall.Load(context.Background(), s, settings)
	if err != nil || idx["active_profile"] != "dev" || idx["profiles"] != "prod,dev" {
		t.Errorf("index after: %v %v", idx, err)
	}
	// Without its integrity item, Keeper's CLI still reads dev (it exited 0
	// exporting it); ksm refuses it and says why, and nothing is rewritten.
	delete(kr, "KSM-cli\x00ksm-cli-profile-dev-integrity")
	before := maps.Clone(kr)
	_, err = storecall.Load(context.Background(), s, shared.Settings{"service": "KSM-cli", "item": "ksm-cli-profile-dev"})
	want := "keyring item ksm-cli-profile-dev (service KSM-cli) has no integrity item ksm-cli-profile-dev-integrity, so ksm cannot verify it and refuses it (Keeper's CLI 1.4 is laxer: it reads such an item unchecked); save the profile again to write both"
	if shared.CodeOf(err) != shared.CodeFailedPrecondition || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("without integrity: %v %v", shared.CodeOf(err), err)
	}
	if err := storecall.Save(context.Background(), s, shared.SaveRequest{Settings: settings, Config: shared.Config{"active_profile": "dev"}}); shared.CodeOf(err) != shared.CodeFailedPrecondition {
		t.Errorf("made an unverified profile active: %v", err)
	}
	if !maps.Equal(kr, before) {
		t.Error("a refused save changed the keyring")
	}
}
