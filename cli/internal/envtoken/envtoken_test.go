package envtoken_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/envtoken"
	"github.com/ksm-cli/ksm/cli/internal/inifile"
	"github.com/ksm-cli/ksm/cli/internal/iostreams"
	"github.com/ksm-cli/ksm/cli/internal/keeper/keepertest"
	"github.com/ksm-cli/ksm/cli/internal/keeperini"
	"github.com/ksm-cli/ksm/cli/internal/profiles"
	"github.com/ksm-cli/ksm/shared"
)

// testFactory is a Factory on a fake environment: cwd and home are temp
// dirs, env is the whole environment.
func testFactory(t *testing.T, env map[string]string) (*cmdutil.Factory, *bytes.Buffer) {
	t.Helper()
	getenv := func(k string) string { return env[k] }
	io, _, errOut := iostreams.Test("")
	return &cmdutil.Factory{
		IO:      io,
		Getenv:  getenv,
		Env:     inifile.Env{Getenv: getenv, Cwd: t.TempDir(), Home: t.TempDir(), GOOS: "linux"},
		Log:     hclog.NewNullLogger(),
		Timeout: 30 * time.Second,
	}, errOut
}

// redeemAndRead is what a command that uses a profile does: redeem
// KSM_TOKEN if it must, then read.
func redeemAndRead(f *cmdutil.Factory) (*keeperini.Source, error) {
	if err := envtoken.Redeem(context.Background(), f); err != nil {
		return nil, err
	}
	return f.Ini().Read()
}

// config returns a complete SDK config whose clientId is marked, as JSON.
func config(clientID string) string {
	return string(shared.MarshalConfig(shared.Config{
		shared.KeyClientID: clientID, shared.KeyPrivateKey: "cHJpdmF0ZQ==", shared.KeyAppKey: "YXBwa2V5",
		shared.KeyHostname: "EU", shared.KeyServerPublicKeyID: "10", shared.KeyAppOwnerPublicKey: "b3duZXI=",
	}))
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// Bad container variables, on the path a command takes (redeem, then
// read): one line naming the variable, never its value, nothing written.
func TestBadContainerVariables(t *testing.T) {
	partial := b64(`{"clientId": "SECRETCLIENTID", "hostname": "US"}`)
	tests := []struct {
		name    string
		env     map[string]string
		want    string // in the error
		secrets []string
	}{
		{name: "KSM_CONFIG not base64", env: map[string]string{"KSM_CONFIG": "%%SECRET%%"},
			want: "environment variable KSM_CONFIG does not hold a usable keeper config (config is neither JSON nor base64 of it)", secrets: []string{"SECRET"}},
		{name: "KSM_CONFIG missing keys", env: map[string]string{"KSM_CONFIG": partial},
			want: "environment variable KSM_CONFIG does not hold a usable keeper config (config is missing privateKey, appKey)", secrets: []string{"SECRETCLIENTID", partial}},
		{name: "KSM_CONFIG not JSON", env: map[string]string{"KSM_CONFIG": b64("SECRET plain text")},
			want: "KSM_CONFIG does not hold a usable keeper config (config is not a JSON object of SDK keys)", secrets: []string{"SECRET"}},
		{name: "KSM_CONFIG with a bad KSM_CLI_PROFILE", env: map[string]string{"KSM_CONFIG": config("x"), "KSM_CLI_PROFILE": "bad name"},
			want: "environment variable KSM_CLI_PROFILE: invalid profile name"},
		{name: "a bad second config", env: map[string]string{"KSM_CONFIG_BASE64_1": b64(config("one")), "KSM_CONFIG_BASE64_2": partial},
			want: "environment variable KSM_CONFIG_BASE64_2 does not hold a usable keeper config", secrets: []string{"SECRETCLIENTID", partial}},
		{name: "a bad name", env: map[string]string{"KSM_CONFIG_BASE64_1": b64(config("one")), "KSM_CONFIG_BASE64_DESC_1": "_config"},
			want: "environment variable KSM_CONFIG_BASE64_DESC_1: \"_config\" is reserved"},
		{name: "a name twice", env: map[string]string{
			"KSM_CONFIG_BASE64_1": b64(config("one")), "KSM_CONFIG_BASE64_2": b64(config("two")), "KSM_CONFIG_BASE64_DESC_2": "App1"},
			want: "KSM_CONFIG_BASE64_1 and KSM_CONFIG_BASE64_2 both give profile name App1"},
		{name: "a malformed KSM_TOKEN", env: map[string]string{"KSM_TOKEN": "US:SECRETSECRET"},
			want: "environment variable KSM_TOKEN is not a usable one-time token: token key must be 32 bytes", secrets: []string{"SECRETSECRET"}},
		{name: "KSM_TOKEN with no key", env: map[string]string{"KSM_TOKEN": "SECRETPREFIXTHATISLONG:"},
			want: "environment variable KSM_TOKEN is not a usable one-time token: token has no key part", secrets: []string{"SECRETPREFIX"}},
		{name: "KSM_TOKEN with an unknown KSM_HOSTNAME", env: map[string]string{"KSM_TOKEN": strings.Repeat("A", 43), "KSM_HOSTNAME": "XX"},
			want: "environment variable KSM_HOSTNAME: unknown region \"XX\""},
		{name: "KSM_TOKEN with an unknown region prefix", env: map[string]string{"KSM_TOKEN": "XX:" + strings.Repeat("A", 43)},
			want: "environment variable KSM_TOKEN is not a usable one-time token: unknown region \"XX\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, errOut := testFactory(t, tt.env)
			_, err := redeemAndRead(f)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			for _, s := range tt.secrets {
				if strings.Contains(err.Error(), s) || strings.Contains(errOut.String(), s) {
					t.Errorf("output shows a value: %q", err)
				}
			}
			if entries, _ := os.ReadDir(f.Env.Cwd); len(entries) > 0 {
				t.Errorf("files written: %v", entries)
			}
		})
	}
}

// KSM_TOKEN is redeemed once: into the write location, and later reads
// find that file. Keeper's CLI redeems it again on every run.
func TestKSMTokenRedeemedOnce(t *testing.T) {
	for _, tt := range []struct {
		name, iniDir, profile string
	}{
		{name: "cwd, _default"},
		{name: "KSM_INI_DIR, KSM_CLI_PROFILE", iniDir: t.TempDir(), profile: "boot"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := keepertest.NewForKSM(t)
			tok := s.NewToken()
			env := map[string]string{
				"KSM_TOKEN": tok, "KSM_HOSTNAME": s.Host(), "KSM_SERVER_PUBLIC_KEY": s.PublicKey(),
				"KSM_INI_DIR": tt.iniDir, "KSM_CLI_PROFILE": tt.profile,
			}
			f, errOut := testFactory(t, env)
			f.HTTPClient = s.Client()
			src, err := redeemAndRead(f)
			if err != nil {
				t.Fatal(err)
			}
			dir, name := tt.iniDir, tt.profile
			if dir == "" {
				dir = f.Env.Cwd
			}
			if name == "" {
				name = profiles.DefaultName
			}
			want := filepath.Join(dir, "keeper.ini")
			if src.Path != want || src.Env != "" {
				t.Errorf("Source = %q (env %q), want %q", src.Path, src.Env, want)
			}
			if got := src.Book.Active(); got != name {
				t.Errorf("active = %q, want %q", got, name)
			}
			if !strings.HasPrefix(errOut.String(), "Redeemed KSM_TOKEN into profile "+name+" in "+want+";") || strings.Count(errOut.String(), "\n") != 1 {
				t.Errorf("stderr = %q", errOut)
			}
			if strings.Contains(errOut.String(), tok) {
				t.Error("stderr shows the token")
			}
			if st, err := os.Stat(want); err != nil || st.Mode().Perm() != 0o600 {
				t.Errorf("keeper.ini: %v, mode %v", err, st)
			}
			if p, err := src.Book.Get(name); err != nil || p.Config.Validate() != nil {
				t.Errorf("redeemed profile: %v", err)
			}

			// A later run (a new process: a new Factory) uses the file.
			f2, errOut2 := testFactory(t, env)
			f2.Env.Cwd = f.Env.Cwd
			f2.HTTPClient = s.Client()
			src2, err := redeemAndRead(f2)
			if err != nil {
				t.Fatal(err)
			}
			if src2.Path != want || errOut2.Len() != 0 {
				t.Errorf("second run: path %q, stderr %q", src2.Path, errOut2)
			}
			// The bind is two requests: Keeper's SDK reads the records
			// once right after binding.
			if st := s.Stats(); st.Binds != 1 || st.Requests != 2 {
				t.Errorf("server saw %+v, want one bind (two requests) and nothing else", st)
			}
		})
	}
}

// Processes started together redeem KSM_TOKEN once between them: the bind
// happens under the keeper.ini lock, after checking for the profile.
func TestKSMTokenConcurrentRuns(t *testing.T) {
	s := keepertest.NewForKSM(t)
	env := map[string]string{"KSM_TOKEN": s.NewToken(), "KSM_HOSTNAME": s.Host(), "KSM_SERVER_PUBLIC_KEY": s.PublicKey()}
	cwd := t.TempDir()
	const runs = 8
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, runs)
	for i := range runs {
		f, _ := testFactory(t, env)
		f.Env.Cwd = cwd
		f.HTTPClient = s.Client()
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = redeemAndRead(f)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("run %d: %v", i, err)
		}
	}
	if st := s.Stats(); st.Binds != 1 || st.Denied != 0 {
		t.Errorf("server saw %+v, want exactly one bind", st)
	}
}

// A refused KSM_TOKEN writes nothing and says what happened.
func TestKSMTokenRefused(t *testing.T) {
	s := keepertest.NewForKSM(t)
	tok := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)) // never issued
	f, errOut := testFactory(t, map[string]string{"KSM_TOKEN": tok, "KSM_HOSTNAME": s.Host(), "KSM_SERVER_PUBLIC_KEY": s.PublicKey()})
	f.HTTPClient = s.Client()
	_, err := redeemAndRead(f)
	if err == nil || !strings.HasPrefix(err.Error(), "cannot redeem KSM_TOKEN: keeper server at "+s.Host()+" rejected the one-time token") {
		t.Fatalf("error = %v", err)
	}
	if strings.Contains(err.Error(), tok) || errOut.Len() != 0 {
		t.Errorf("error %q / stderr %q", err, errOut)
	}
	if _, err := os.Stat(filepath.Join(f.Env.Cwd, "keeper.ini")); err == nil {
		t.Error("keeper.ini written")
	}
}
