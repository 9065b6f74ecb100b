//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ksm-cli/ksm/internal/storecall"
	"github.com/ksm-cli/ksm/plugins/keyring/keyringtest"
	"github.com/ksm-cli/ksm/sdk/storagetest"
	"github.com/ksm-cli/ksm/shared"
)

// Keeper's CLI (Python's keyring, its layout) writes; ksm reads.
func TestKeeperWritesKsmReads(t *testing.T) {
	s := keyringtest.Start(t)
	want := sample()
	if _, err := s.Keeper(t, keeperJSON(t, want), "write-profile", "prod"); err != nil {
		t.Fatal(err)
	}
	store := start(t, s.Env)
	got, err := storecall.Load(ctx(t), store, settings("ksm-cli-profile-prod"))
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got, want) {
		t.Errorf("loaded %d keys, want %d; differing: %v", len(got), len(want), diffKeys(got, want))
	}
	idx, err := storecall.Load(ctx(t), store, settings("ksm-cli-common"))
	if err != nil || idx["profiles"] != "prod" || idx["active_profile"] != "prod" {
		t.Errorf("index: %v %v", idx, err)
	}
}

// ksm writes; Keeper's CLI reads and verifies, and the bytes are the ones
// Python's json.dumps writes for the same config.
func TestKsmWritesKeeperReads(t *testing.T) {
	s := keyringtest.Start(t)
	store := start(t, s.Env)
	cfg := sample()
	for _, name := range []string{"first", "second"} {
		if err := storecall.Save(ctx(t), store, shared.SaveRequest{Settings: settings("ksm-cli-profile-" + name), Config: cfg}); err != nil {
			t.Fatal(err)
		}
		out, err := s.Keeper(t, "", "read-profile", name)
		if err != nil {
			t.Fatal(err)
		}
		var got shared.Config
		if err := json.Unmarshal([]byte(out), &got); err != nil || !maps.Equal(got, cfg) {
			t.Errorf("Python read %q (%v)", diffKeys(got, cfg), err)
		}
	}
	common, err := s.Keeper(t, "", "read-common")
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(common) != `{"profiles": ["first", "second"], "active_profile": "first"}` {
		t.Errorf("ksm-cli-common = %s", common)
	}
	raw, err := s.Keeper(t, "", "get", "ksm-cli-profile-first")
	if err != nil {
		t.Fatal(err)
	}
	// The reference text: Python's json.dumps of the config in the order
	// ksm writes it (Keeper's export order).
	ordered := `{"clientId": ` + q(cfg["clientId"]) + `, "privateKey": ` + q(cfg["privateKey"]) +
		`, "appKey": ` + q(cfg["appKey"]) + `, "hostname": ` + q(cfg["hostname"]) +
		`, "serverPublicKeyId": ` + q(cfg["serverPublicKeyId"]) + `, "appOwnerPublicKey": ` + q(cfg["appOwnerPublicKey"]) +
		`, "note": ` + q(cfg["note"]) + `}`
	want, err := s.Keeper(t, ordered, "dumps")
	if err != nil {
		t.Fatal(err)
	}
	if raw != want {
		t.Errorf("item text differs from Python's json.dumps:\n got %q\nwant %q", raw, want)
	}
}

func q(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Whoever writes last, each name is one Secret Service item with Python
// keyring's attributes: the service replaces an item only when the new one
// has the same attributes, so anything else leaves duplicates that either
// CLI may read next.
func TestOneItemWhoeverWrites(t *testing.T) {
	s := keyringtest.Start(t)
	store := start(t, s.Env)
	const item = "ksm-cli-profile-shared"
	pythons := map[string]string{"application": "Python keyring library", "service": "KSM-cli", "username": item}
	// An item another client wrote with only service and username.
	if _, err := s.Keeper(t, "not a config", "set-bare", item); err != nil {
		t.Fatal(err)
	}
	cfg := sample()
	for round := range 3 {
		cfg["note"] = fmt.Sprint("round ", round)
		if err := storecall.Save(ctx(t), store, shared.SaveRequest{Settings: settings(item), Config: cfg, Overwrite: true}); err != nil {
			t.Fatal(err)
		}
		for _, it := range []string{item, item + "-integrity"} {
			if n, _ := s.Keeper(t, "", "count", it); strings.TrimSpace(n) != "1" {
				t.Fatalf("round %d: after ksm's save, %s items named %s", round, strings.TrimSpace(n), it)
			}
		}
		// The service may add its own (xdg:schema): Python's three decide.
		out, _ := s.Keeper(t, "", "attributes", item)
		var attrs map[string]string
		if err := json.Unmarshal([]byte(out), &attrs); err != nil {
			t.Fatalf("attributes %q: %v", out, err)
		}
		delete(attrs, "xdg:schema")
		if !maps.Equal(attrs, pythons) {
			t.Errorf("round %d: attributes %v, want %v", round, attrs, pythons)
		}
		cfg["note"] = fmt.Sprint("python ", round)
		if _, err := s.Keeper(t, keeperJSON(t, cfg), "write-profile", "shared"); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.Keeper(t, "", "count", item); strings.TrimSpace(n) != "1" {
			t.Fatalf("round %d: after Python's save, %s items", round, strings.TrimSpace(n))
		}
		got, err := storecall.Load(ctx(t), store, settings(item))
		if err != nil || got["note"] != cfg["note"] {
			t.Fatalf("round %d: ksm read %q (%v), want Python's last write", round, got["note"], err)
		}
	}
}

// Items Keeper's CLI wrote keep their keys when ksm rewrites the list.
func TestIndexKeepsUnknownKeys(t *testing.T) {
	s := keyringtest.Start(t)
	if _, err := s.Keeper(t, keeperJSON(t, sample()), "write-profile", "old"); err != nil {
		t.Fatal(err)
	}
	// Rewrite the list with a key ksm does not know, as a later CLI might.
	py := `{"profiles": ["old"], "active_profile": "old", "colour": true, "x": {"é": [1, null]}}`
	text, err := s.Keeper(t, py, "dumps")
	if err != nil {
		t.Fatal(err)
	}
	setVerified(t, s, "ksm-cli-common", text)
	store := start(t, s.Env)
	if err := storecall.Save(ctx(t), store, shared.SaveRequest{Settings: settings("ksm-cli-profile-new"), Config: sample()}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Keeper(t, "", "read-common")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"profiles": ["old", "new"], "active_profile": "old", "colour": true, "x": {"\u00e9": [1, null]}}`
	if strings.TrimSpace(got) != want {
		t.Errorf("ksm-cli-common = %s\nwant %s", got, want)
	}
}

// setVerified stores an item and its integrity the way Python computes it.
func setVerified(t *testing.T, s *keyringtest.Session, item, text string) {
	t.Helper()
	if _, err := s.Keeper(t, text, "set", item); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Keeper(t, sha256hex(text), "set", item+"-integrity"); err != nil {
		t.Fatal(err)
	}
}

func TestTamperedItemsAreRefused(t *testing.T) {
	s := keyringtest.Start(t)
	if _, err := s.Keeper(t, keeperJSON(t, sample()), "write-profile", "prod"); err != nil {
		t.Fatal(err)
	}
	original := map[string]string{}
	for _, item := range []string{"ksm-cli-profile-prod", "ksm-cli-common"} {
		text, err := s.Keeper(t, "", "get", item)
		if err != nil {
			t.Fatal(err)
		}
		original[item] = text
	}
	store := start(t, s.Env)
	const refused = " (service KSM-cli) does not match its integrity hash"
	tests := []struct {
		name, item, value string
		load              string // the item loaded
		want              string
	}{
		{"changed item", "ksm-cli-profile-prod", strings.Replace(original["ksm-cli-profile-prod"], "keepersecurity.com", "evil.example", 1), "ksm-cli-profile-prod",
			"keyring item ksm-cli-profile-prod (service KSM-cli) does not match its integrity hash (ksm-cli-profile-prod-integrity): it was changed outside ksm and Keeper's CLI, so it is refused; save the profile again"},
		{"changed hash", "ksm-cli-profile-prod-integrity", strings.Repeat("0", 64), "ksm-cli-profile-prod", "keyring item ksm-cli-profile-prod" + refused},
		{"emptied hash", "ksm-cli-profile-prod-integrity", "", "ksm-cli-profile-prod", "keyring item ksm-cli-profile-prod" + refused},
		{"changed list", "ksm-cli-common", `{"data": "{\"profiles\": [\"prod\", \"evil\"]}"}`, "ksm-cli-common", "keyring item ksm-cli-common" + refused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for item, text := range original {
				setVerified(t, s, item, text)
			}
			if _, err := s.Keeper(t, tt.value, "set", tt.item); err != nil {
				t.Fatal(err)
			}
			_, err := storecall.Load(ctx(t), store, settings(tt.load))
			if shared.CodeOf(err) != shared.CodeFailedPrecondition || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("got %v %v\nwant %q", shared.CodeOf(err), err, tt.want)
			}
			// Keeper's own check agrees.
			what := "read-profile"
			if tt.load == "ksm-cli-common" {
				what = "read-common"
			}
			if _, err := s.Keeper(t, "", what, "prod"); err == nil {
				t.Error("Python accepts the tampered item")
			}
			// A save into Keeper's list stops before writing anything.
			err = storecall.Save(ctx(t), store, shared.SaveRequest{Settings: settings("ksm-cli-profile-prod"), Config: sample()})
			if tt.load == "ksm-cli-common" && shared.CodeOf(err) != shared.CodeFailedPrecondition {
				t.Errorf("save with a tampered list: %v", err)
			}
			if tt.load != "ksm-cli-common" && shared.CodeOf(err) != shared.CodeAlreadyExists {
				t.Errorf("save over a tampered item without --force: %v", err)
			}
		})
	}
	// An item without its integrity item is refused too.
	for item, text := range original {
		setVerified(t, s, item, text)
	}
	if _, err := s.Keeper(t, "", "delete", "ksm-cli-profile-prod-integrity"); err != nil {
		t.Fatal(err)
	}
	_, err := storecall.Load(ctx(t), store, settings("ksm-cli-profile-prod"))
	want := "keyring item ksm-cli-profile-prod (service KSM-cli) has no integrity item ksm-cli-profile-prod-integrity, so ksm cannot verify it and refuses it (Keeper's CLI 1.4 is laxer: it reads such an item unchecked); save the profile again"
	if shared.CodeOf(err) != shared.CodeFailedPrecondition || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("without integrity: got %v %v", shared.CodeOf(err), err)
	}
}

// ksm's `profile active` on a keyring profile makes it Keeper's active one
// too: Python's keyring (Keeper's layout) reads the new choice, verified,
// with the list's other keys kept.
func TestSaveActiveIsKeepersChoice(t *testing.T) {
	s := keyringtest.Start(t)
	for _, name := range []string{"prod", "dev"} {
		if _, err := s.Keeper(t, keeperJSON(t, sample()), "write-profile", name); err != nil {
			t.Fatal(err)
		}
	}
	store := start(t, s.Env)
	if err := storecall.Save(ctx(t), store, shared.SaveRequest{Settings: settings("ksm-cli-common"), Config: shared.Config{"active_profile": "dev"}}); err != nil {
		t.Fatal(err)
	}
	common, err := s.Keeper(t, "", "read-common")
	if err != nil || strings.TrimSpace(common) != `{"profiles": ["prod", "dev"], "active_profile": "dev"}` {
		t.Fatalf("ksm-cli-common = %s (%v)", common, err)
	}
	// A profile Keeper's CLI does not have, or whose item fails its check,
	// leaves the choice alone.
	if _, err := s.Keeper(t, "", "delete", "ksm-cli-profile-prod-integrity"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		code shared.Code
	}{{"gone", shared.CodeNotFound}, {"prod", shared.CodeFailedPrecondition}} {
		err := storecall.Save(ctx(t), store, shared.SaveRequest{Settings: settings("ksm-cli-common"), Config: shared.Config{"active_profile": tt.name}})
		if shared.CodeOf(err) != tt.code {
			t.Errorf("active %s: got %v %v, want %v", tt.name, shared.CodeOf(err), err, tt.code)
		}
	}
	if common2, _ := s.Keeper(t, "", "read-common"); common2 != common {
		t.Errorf("ksm-cli-common changed by refused saves: %s", common2)
	}
}

func TestSaveRefusesAnotherClientsItem(t *testing.T) {
	s := keyringtest.Start(t)
	store := start(t, s.Env)
	first := storagetest.FakeConfig()
	if err := storecall.Save(ctx(t), store, shared.SaveRequest{Settings: settings("ksm-cli-profile-_default"), Config: first}); err != nil {
		t.Fatal(err)
	}
	other := maps.Clone(first)
	other["clientId"] = "b3RoZXItY2xpZW50"
	err := storecall.Save(ctx(t), store, shared.SaveRequest{Settings: settings("ksm-cli-profile-_default"), Config: other})
	want := "keyring item ksm-cli-profile-_default (service KSM-cli) holds another client's config (another profile's keys); choose another --item, or --force to replace it"
	if shared.CodeOf(err) != shared.CodeAlreadyExists || err.Error() != want {
		t.Fatalf("got %v %v", shared.CodeOf(err), err)
	}
	got, err := storecall.Load(ctx(t), store, settings("ksm-cli-profile-_default"))
	if err != nil || got["clientId"] != first["clientId"] {
		t.Fatalf("the refused save changed the item (%v)", err)
	}
	if err := storecall.Save(ctx(t), store, shared.SaveRequest{Settings: settings("ksm-cli-profile-_default"), Config: other, Overwrite: true}); err != nil {
		t.Fatalf("with overwrite: %v", err)
	}
	// Something that is not a ksm config is not replaced either.
	if _, err := s.Keeper(t, "my notes", "set", "ksm-cli-profile-notes"); err != nil {
		t.Fatal(err)
	}
	err = storecall.Save(ctx(t), store, shared.SaveRequest{Settings: settings("ksm-cli-profile-notes"), Config: first})
	if shared.CodeOf(err) != shared.CodeAlreadyExists {
		t.Fatalf("over a foreign item: %v", err)
	}
	if out, _ := s.Keeper(t, "", "get", "ksm-cli-profile-notes"); out != "my notes" {
		t.Errorf("foreign item changed to %q", out)
	}
}

// A locked keyring prompts for its password; no one answers here. The call
// fails clearly within its deadline instead of hanging.
func TestLockedKeyring(t *testing.T) {
	s := keyringtest.Start(t)
	store := start(t, s.Env)
	if err := storecall.Save(ctx(t), store, shared.SaveRequest{Settings: settings("ksm-cli-profile-prod"), Config: sample()}); err != nil {
		t.Fatal(err)
	}
	s.Lock(t)
	c, cancel := contextWithTimeout(2 * time.Second)
	defer cancel()
	begin := time.Now()
	_, err := storecall.Load(c, store, settings("ksm-cli-profile-prod"))
	took := time.Since(begin)
	code := shared.CodeOf(err)
	if code != shared.CodeDeadlineExceeded && code != shared.CodePermissionDenied {
		t.Fatalf("got %v %v", code, err)
	}
	if !strings.Contains(err.Error(), "locked") {
		t.Errorf("the error does not say the keyring is locked: %v", err)
	}
	if took > 3*time.Second {
		t.Errorf("answered after %v with a 2s deadline", took)
	}
	t.Logf("locked keyring: %v after %v", err, took.Round(time.Millisecond))
}

// A Secret Service that never answers (stopped here) holds no call past
// its deadline.
func TestHungKeyring(t *testing.T) {
	s := keyringtest.Start(t)
	store := start(t, s.Env)
	if err := storecall.Save(ctx(t), store, shared.SaveRequest{Settings: settings("ksm-cli-profile-prod"), Config: sample()}); err != nil {
		t.Fatal(err)
	}
	s.Freeze(t)
	for _, d := range []time.Duration{100 * time.Millisecond, time.Second} {
		c, cancel := contextWithTimeout(d)
		begin := time.Now()
		_, err := storecall.Load(c, store, settings("ksm-cli-profile-prod"))
		took := time.Since(begin)
		cancel()
		want := "the OS keyring did not answer in time; it may be locked and waiting for its unlock prompt: unlock it (log in to the desktop session) and retry"
		if shared.CodeOf(err) != shared.CodeDeadlineExceeded || err.Error() != want {
			t.Errorf("%v deadline: got %v %v", d, shared.CodeOf(err), err)
		}
		if took > d+time.Second {
			t.Errorf("%v deadline: answered after %v", d, took)
		}
	}
	// The plugin still answers the host.
	if _, err := storecall.Describe(ctx(t), store); err != nil {
		t.Errorf("describe after hung calls: %v", err)
	}
}

func TestNoSecretService(t *testing.T) {
	bus := keyringtest.StartBus(t)
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"no session bus", []string{"HOME=" + t.TempDir(), "PATH=/usr/bin:/bin"},
			"no OS keyring: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set), so no Secret Service; on a server or in a container keep the profile in a file or in AWS instead (ksm profile setup --type=file or --type=aws)"},
		{"bus without a Secret Service", bus.Env,
			"no OS keyring: the D-Bus session has no Secret Service (GNOME Keyring or KWallet); on a server or in a container keep the profile in a file or in AWS instead (ksm profile setup --type=file or --type=aws)"},
		{"bus gone", []string{"HOME=" + t.TempDir(), "DBUS_SESSION_BUS_ADDRESS=unix:path=" + t.TempDir() + "/nobus"},
			"cannot reach the Secret Service over D-Bus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := start(t, tt.env)
			c, cancel := contextWithTimeout(5 * time.Second)
			defer cancel()
			begin := time.Now()
			_, err := storecall.Load(c, store, settings("ksm-cli-profile-prod"))
			if shared.CodeOf(err) != shared.CodeFailedPrecondition || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("got %v %v\nwant %q", shared.CodeOf(err), err, tt.want)
			}
			if took := time.Since(begin); took > 2*time.Second {
				t.Errorf("took %v", took)
			}
		})
	}
}

func diffKeys(got, want map[string]string) []string {
	var d []string
	for k := range want {
		if got[k] != want[k] {
			d = append(d, k)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			d = append(d, k)
		}
	}
	return d
}

// Concurrent saves of Keeper profiles (several ksm processes at once) all
// end up in Keeper's profile list: its read-modify-write is serialised.
func TestConcurrentSavesKeepEveryProfileListed(t *testing.T) {
	s := keyringtest.Start(t)
	stores := []shared.Store{start(t, s.Env), start(t, s.Env), start(t, s.Env)}
	const n = 9
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- storecall.Save(ctx(t), stores[i%len(stores)], shared.SaveRequest{Settings: settings(fmt.Sprint("ksm-cli-profile-p", i)), Config: sample()})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	out, err := s.Keeper(t, "", "read-common")
	if err != nil {
		t.Fatal(err)
	}
	var common struct {
		Profiles []string `json:"profiles"`
	}
	if err := json.Unmarshal([]byte(out), &common); err != nil {
		t.Fatal(err)
	}
	if len(common.Profiles) != n {
		t.Errorf("Keeper's list holds %d profiles, want %d: %v", len(common.Profiles), n, common.Profiles)
	}
}
