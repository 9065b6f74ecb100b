package keeperini_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/ksm-cli/ksm/cli/internal/inifile"
	"github.com/ksm-cli/ksm/cli/internal/iostreams"
	"github.com/ksm-cli/ksm/cli/internal/keeperini"
	"github.com/ksm-cli/ksm/cli/internal/profiles"
	"github.com/ksm-cli/ksm/shared"
)

// testLocation is a Location on a fake environment: cwd and home are temp
// dirs, env is the whole environment.
func testLocation(t *testing.T, env map[string]string) (*keeperini.Location, *bytes.Buffer) {
	t.Helper()
	getenv := func(k string) string { return env[k] }
	io, _, errOut := iostreams.Test("")
	return &keeperini.Location{
		Getenv:   getenv,
		Env:      inifile.Env{Getenv: getenv, Cwd: t.TempDir(), Home: t.TempDir(), GOOS: "linux"},
		Log:      hclog.NewNullLogger(),
		Warnings: io.ErrOut,
		WarnOnce: new(sync.Once),
	}, errOut
}

// config returns a complete SDK config whose clientId is marked, as JSON.
func config(clientID string) string {
	return string(shared.MarshalConfig(shared.Config{
		shared.KeyClientID: clientID, shared.KeyPrivateKey: "cHJpdmF0ZQ==", shared.KeyAppKey: "YXBwa2V5",
		shared.KeyHostname: "EU", shared.KeyServerPublicKeyID: "10", shared.KeyAppOwnerPublicKey: "b3duZXI=",
	}))
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// writeIni puts a keeper.ini with one profile named name in dir.
func writeIni(t *testing.T, dir, name string) string {
	t.Helper()
	path := filepath.Join(dir, "keeper.ini")
	f := inifile.NewWithActive(name)
	cfg, err := shared.ParseConfig([]byte(config("file-" + name)))
	if err != nil {
		t.Fatal(err)
	}
	if err := profiles.NewBook(f).Put(&profiles.Profile{Name: name, Config: cfg}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, inifile.Encode(f), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadPrecedence(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		iniFile   bool // pass --ini-file (a file holding profile "flag")
		cwdIni    bool // a keeper.ini in the cwd holding profile "cwd"
		wantNames []string
		wantFrom  string // Source.Env
		wantID    string // clientId of the active profile
	}{
		{name: "--ini-file beats KSM_CONFIG", iniFile: true,
			env:       map[string]string{"KSM_CONFIG": b64(config("env"))},
			wantNames: []string{"flag"}, wantID: "file-flag"},
		{name: "KSM_CONFIG base64 beats BASE64_n and the search", cwdIni: true,
			env:       map[string]string{"KSM_CONFIG": b64(config("env")), "KSM_CONFIG_BASE64_1": b64(config("one"))},
			wantNames: []string{"_default"}, wantFrom: "KSM_CONFIG", wantID: "env"},
		{name: "KSM_CONFIG raw JSON",
			env:       map[string]string{"KSM_CONFIG": config("raw")},
			wantNames: []string{"_default"}, wantFrom: "KSM_CONFIG", wantID: "raw"},
		{name: "KSM_CONFIG base64url, named by KSM_CLI_PROFILE",
			env:       map[string]string{"KSM_CONFIG": base64.RawURLEncoding.EncodeToString([]byte(config("url"))), "KSM_CLI_PROFILE": "prod"},
			wantNames: []string{"prod"}, wantFrom: "KSM_CONFIG", wantID: "url"},
		{name: "BASE64_n beat the search; DESC names, else App<n>; the first is active", cwdIni: true,
			env: map[string]string{
				"KSM_CONFIG_BASE64_1": b64(config("one")), "KSM_CONFIG_BASE64_DESC_1": "first",
				"KSM_CONFIG_BASE64_2": b64(config("two")),
				"KSM_CONFIG_BASE64_3": config("three"), "KSM_CONFIG_BASE64_DESC_3": " third ",
			},
			wantNames: []string{"first", "App2", "third"}, wantFrom: "KSM_CONFIG_BASE64_1", wantID: "one"},
		{name: "BASE64_n stop at the first gap",
			env:       map[string]string{"KSM_CONFIG_BASE64_1": b64(config("one")), "KSM_CONFIG_BASE64_3": b64(config("three"))},
			wantNames: []string{"App1"}, wantFrom: "KSM_CONFIG_BASE64_1", wantID: "one"},
		{name: "no variables: the search", cwdIni: true,
			wantNames: []string{"cwd"}, wantID: "file-cwd"},
		{name: "a keeper.ini found wins over KSM_TOKEN, which is not even parsed", cwdIni: true,
			env:       map[string]string{"KSM_TOKEN": "US:not-a-token"},
			wantNames: []string{"cwd"}, wantID: "file-cwd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, errOut := testLocation(t, tt.env)
			if tt.iniFile {
				f.IniFile = writeIni(t, t.TempDir(), "flag")
			}
			var cwdIni []byte
			if tt.cwdIni {
				cwdIni = mustRead(t, writeIni(t, f.Env.Cwd, "cwd"))
			}
			src, err := f.Read()
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if got := strings.Join(src.Book.Names(), ","); got != strings.Join(tt.wantNames, ",") {
				t.Errorf("profiles = %s, want %s", got, strings.Join(tt.wantNames, ","))
			}
			if src.Env != tt.wantFrom {
				t.Errorf("Source.Env = %q, want %q", src.Env, tt.wantFrom)
			}
			if (src.Path == "") != (tt.wantFrom != "") {
				t.Errorf("Source.Path = %q for Env %q", src.Path, src.Env)
			}
			name, err := f.ProfileName(src.Book, "")
			if err != nil {
				t.Fatal(err)
			}
			p, err := src.Book.Get(name)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Config[shared.KeyClientID]; got != tt.wantID {
				t.Errorf("active profile %s has clientId %q, want %q", name, got, tt.wantID)
			}
			// In-memory sources write nothing.
			if tt.cwdIni {
				if got := mustRead(t, filepath.Join(f.Env.Cwd, "keeper.ini")); !bytes.Equal(got, cwdIni) {
					t.Error("keeper.ini in the cwd changed")
				}
			} else if _, err := os.Stat(filepath.Join(f.Env.Cwd, "keeper.ini")); err == nil {
				t.Error("a keeper.ini was written")
			}
			if errOut.Len() > 0 {
				t.Errorf("stderr: %q", errOut)
			}
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Reading has no side effects: with KSM_TOKEN set and no keeper.ini, Read
// reports the missing file and writes nothing (redeeming is envtoken's,
// asked for only by the commands that use a profile).
func TestReadNeverRedeems(t *testing.T) {
	l, errOut := testLocation(t, map[string]string{"KSM_TOKEN": "US:" + strings.Repeat("A", 43), "KSM_HOSTNAME": "127.0.0.1:1"})
	_, err := l.Read()
	var noIni *keeperini.NoIniError
	if !errors.As(err, &noIni) || !errors.Is(err, keeperini.ErrNoIni) {
		t.Fatalf("Read = %v, want a NoIniError", err)
	}
	if entries, _ := os.ReadDir(l.Env.Cwd); len(entries) > 0 {
		t.Errorf("files written: %v", entries)
	}
	if errOut.Len() > 0 {
		t.Errorf("stderr: %q", errOut)
	}
}

// The no-keeper.ini message is plain data: a hint appears only when the
// command put one there.
func TestNoIniErrorMessage(t *testing.T) {
	e := &keeperini.NoIniError{Searched: "[/a /b]"}
	const want = "no keeper.ini found (looked in [/a /b]); create one with `ksm profile init` or `ksm profile import`, or pass --ini-file"
	if got := e.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e.Hint = "Keeper's CLI keeps 1 profile in the OS keyring (a)"
	if got := e.Error(); got != want+". "+e.Hint {
		t.Errorf("with hint: %q", got)
	}
}
