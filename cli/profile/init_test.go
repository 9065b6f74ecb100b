package profile

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/inifile"
	"github.com/ksm-cli/ksm/cli/internal/iostreams"
	"github.com/ksm-cli/ksm/cli/internal/keeper/keepertest"
	"github.com/ksm-cli/ksm/cli/internal/profiles"
	"github.com/ksm-cli/ksm/cli/internal/stores"
	"github.com/ksm-cli/ksm/shared"
)

// initFixture is a Factory aimed at a fresh test server, with keeper.ini
// in a temp dir (the cwd) and a fake environment.
type initFixture struct {
	s      *keepertest.Server
	f      *cmdutil.Factory
	env    map[string]string
	ini    string
	errOut *bytes.Buffer
}

func newInitFixture(t *testing.T, stdin string) *initFixture {
	t.Helper()
	s := keepertest.NewForKSM(t)
	env := map[string]string{"KSM_SERVER_PUBLIC_KEY": s.PublicKey()}
	getenv := func(k string) string { return env[k] }
	io, _, errOut := iostreams.Test(stdin)
	dir := t.TempDir()
	return &initFixture{
		s:   s,
		env: env,
		ini: filepath.Join(dir, "keeper.ini"),
		f: &cmdutil.Factory{
			IO: io, Getenv: getenv, Log: hclog.NewNullLogger(), Timeout: 30 * time.Second,
			Env:        inifile.Env{Getenv: getenv, Cwd: dir, GOOS: "linux"},
			HTTPClient: s.Client(),
		},
		errOut: errOut,
	}
}

// profile reads a profile back from the fixture's keeper.ini.
func (fx *initFixture) profile(t *testing.T, name string) (*profiles.Profile, *profiles.Book) {
	t.Helper()
	f, err := inifile.Read(fx.ini)
	if err != nil {
		t.Fatal(err)
	}
	b := profiles.NewBook(f)
	p, err := b.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	return p, b
}

func TestInitTokenSources(t *testing.T) {
	tests := []struct {
		name     string
		opts     func(tok string, o *initOptions)
		env      func(tok string) map[string]string
		stdin    func(tok string) string
		wantName string
		wantHost func(s *keepertest.Server) string
	}{
		{name: "--token", opts: func(tok string, o *initOptions) { o.Token = tok }},
		{name: "argument", opts: func(tok string, o *initOptions) { o.Args = []string{tok} }},
		{name: "KSM_CLI_TOKEN", env: func(tok string) map[string]string { return map[string]string{"KSM_CLI_TOKEN": tok} }},
		{name: "argument beats KSM_CLI_TOKEN",
			opts: func(tok string, o *initOptions) { o.Args = []string{tok} },
			env:  func(string) map[string]string { return map[string]string{"KSM_CLI_TOKEN": "garbage"} }},
		{name: "- as argument reads stdin", opts: func(_ string, o *initOptions) { o.Args = []string{"-"} },
			stdin: func(tok string) string { return tok + "\nignored\n" }},
		{name: "--token - reads stdin without a newline", opts: func(_ string, o *initOptions) { o.Token = "-" },
			stdin: func(tok string) string { return tok }},
		{name: "-p names the profile", opts: func(tok string, o *initOptions) { o.Token, o.Name = tok, "prod" }, wantName: "prod"},
		{name: "--profile / KSM_CLI_PROFILE names it", opts: func(tok string, o *initOptions) { o.Token, o.f.Profile = tok, "fromflag" }, wantName: "fromflag"},
		{name: "KSM_HOSTNAME gives the host", opts: func(tok string, o *initOptions) { o.Token, o.Hostname = tok, "" },
			env:      func(string) map[string]string { return map[string]string{"KSM_HOSTNAME": "HOSTNAME"} },
			wantHost: func(s *keepertest.Server) string { return s.Host() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdin string
			fx := newInitFixture(t, "")
			tok := fx.s.NewToken()
			if tt.stdin != nil {
				stdin = tt.stdin(tok)
				fx.f.IO.In = strings.NewReader(stdin)
			}
			if tt.env != nil {
				for k, v := range tt.env(tok) {
					if v == "HOSTNAME" {
						v = fx.s.Host()
					}
					fx.env[k] = v
				}
			}
			opts := &initOptions{f: fx.f, Hostname: fx.s.Host()}
			if tt.opts != nil {
				tt.opts(tok, opts)
			}
			if err := runInit(context.Background(), opts); err != nil {
				t.Fatalf("runInit: %v", err)
			}
			name := tt.wantName
			if name == "" {
				name = profiles.DefaultName
			}
			p, b := fx.profile(t, name)
			if b.Active() != name {
				t.Errorf("active = %q, want %q (the first profile)", b.Active(), name)
			}
			if err := p.Config.Validate(); err != nil {
				t.Error(err)
			}
			if got := p.Config[shared.KeyHostname]; got != fx.s.Host() {
				t.Errorf("hostname = %q, want %q", got, fx.s.Host())
			}
			if got, ok := p.Config[shared.KeyServerPublicKey]; ok {
				t.Errorf("serverPublicKey = %q written; Keeper's SDK has no use for it", got)
			}
			if !fx.s.IsBound(tok) || fx.s.Stats().Binds != 1 {
				t.Errorf("token not bound once: %+v", fx.s.Stats())
			}
			want := "Added profile " + name + " to INI config file located at " + fx.ini + "\n"
			if fx.errOut.String() != want {
				t.Errorf("stderr = %q, want %q", fx.errOut, want)
			}
			if st, _ := os.Stat(fx.ini); st.Mode().Perm() != 0o600 {
				t.Errorf("mode %v", st.Mode())
			}
		})
	}
}

// Every failure that Keeper need not see happens before it is asked, so
// the token stays usable and keeper.ini is not touched.
func TestInitFailsBeforeRedeeming(t *testing.T) {
	tests := []struct {
		name      string
		opts      func(tok string, o *initOptions)
		env       map[string]string
		stdin     string
		existing  bool
		wantErr   string
		wantUsage bool
	}{
		{name: "no token", wantErr: "profile init needs a one-time access token", wantUsage: true},
		{name: "token twice", opts: func(tok string, o *initOptions) { o.Token, o.Args = tok, []string{tok} }, wantErr: "give the token once", wantUsage: true},
		{name: "two arguments", opts: func(tok string, o *initOptions) { o.Args = []string{tok, tok} }, wantErr: "at most one TOKEN argument", wantUsage: true},
		{name: "empty stdin", opts: func(_ string, o *initOptions) { o.Token = "-" }, stdin: "\n", wantErr: "no token on standard input"},
		{name: "malformed token", opts: func(_ string, o *initOptions) { o.Token = "US:c2hvcnQ" }, wantErr: "token key must be 32 bytes, got 5"},
		{name: "unknown region prefix", opts: func(tok string, o *initOptions) { o.Token = "XX:" + tok }, wantErr: `unknown region "XX"`},
		{name: "unknown --hostname", opts: func(tok string, o *initOptions) { o.Token, o.Hostname = tok, "XX" }, wantErr: `unknown region "XX"`},
		{name: "bad profile name", opts: func(tok string, o *initOptions) { o.Token, o.Name = tok, "no spaces" }, wantErr: "invalid profile name", wantUsage: true},
		{name: "--server-public-key is refused", opts: func(tok string, o *initOptions) { o.Token, o.ServerPublicKey = tok, "Zm9v" }, wantErr: "--server-public-key is no longer supported"},
		{name: "existing profile", opts: func(tok string, o *initOptions) { o.Token = tok }, existing: true,
			wantErr: "profile _default already exists in "},
		{name: "--storage without the plugin host", opts: func(tok string, o *initOptions) { o.Token, o.Storage = tok, "aws" },
			wantErr: "--storage aws is not available in this build"},
		{name: "--store-option without --storage", opts: func(tok string, o *initOptions) { o.Token = tok; _ = o.StoreOptions.Set("secret=x") },
			wantErr: "--store-option needs --storage TYPE", wantUsage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newInitFixture(t, tt.stdin)
			for k, v := range tt.env {
				fx.env[k] = v
			}
			var before []byte
			if tt.existing {
				fx.existing(t)
				before, _ = os.ReadFile(fx.ini)
			}
			tok := fx.s.NewToken()
			asked := fx.s.Stats().Requests
			opts := &initOptions{f: fx.f, Hostname: fx.s.Host()}
			if tt.opts != nil {
				tt.opts(tok, opts)
			}
			err := runInit(context.Background(), opts)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want %q", err, tt.wantErr)
			}
			var usage *cmdutil.UsageError
			if errors.As(err, &usage) != tt.wantUsage {
				t.Errorf("usage error = %v, want %v", !tt.wantUsage, tt.wantUsage)
			}
			if strings.Contains(err.Error(), tok) {
				t.Error("the error shows the token")
			}
			if st := fx.s.Stats(); st.Requests != asked {
				t.Errorf("Keeper was asked: %+v", st)
			}
			after, _ := os.ReadFile(fx.ini)
			if !bytes.Equal(before, after) {
				t.Error("keeper.ini changed")
			}
		})
	}
}

// existing writes a keeper.ini holding a _default profile.
func (fx *initFixture) existing(t *testing.T) {
	t.Helper()
	if err := runInit(context.Background(), &initOptions{f: fx.f, Hostname: fx.s.Host(), Token: fx.s.NewToken()}); err != nil {
		t.Fatal(err)
	}
}

func TestInitRefusedTokenWritesNothing(t *testing.T) {
	fx := newInitFixture(t, "")
	tok := fx.s.NewToken()
	if err := runInit(context.Background(), &initOptions{f: fx.f, Hostname: fx.s.Host(), Token: tok}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(fx.ini)
	err := runInit(context.Background(), &initOptions{f: fx.f, Hostname: fx.s.Host(), Token: tok, Name: "again"})
	if err == nil || !strings.Contains(err.Error(), "rejected the one-time token") || strings.Contains(err.Error(), "used up") {
		t.Fatalf("error = %v", err)
	}
	if after, _ := os.ReadFile(fx.ini); !bytes.Equal(before, after) {
		t.Error("keeper.ini changed")
	}
}

func TestInitForceReplaces(t *testing.T) {
	fx := newInitFixture(t, "")
	fx.existing(t)
	old, _ := fx.profile(t, profiles.DefaultName)
	if err := runInit(context.Background(), &initOptions{f: fx.f, Hostname: fx.s.Host(), Token: fx.s.NewToken(), Force: true}); err != nil {
		t.Fatal(err)
	}
	p, _ := fx.profile(t, profiles.DefaultName)
	if p.Config[shared.KeyClientID] == old.Config[shared.KeyClientID] {
		t.Error("profile not replaced")
	}
}

// The --storage hook: options are checked before the token is redeemed,
// the config goes to the store only, and keeper.ini gets the settings.
func TestInitStorageHook(t *testing.T) {
	errInvalid := errors.New("option secret is required")
	tests := []struct {
		name      string
		store     stores.InitFunc
		wantErr   string
		wantBinds int
	}{
		{name: "saved", wantBinds: 1, store: func(ctx context.Context, req stores.InitRequest) (shared.Settings, error) {
			cfg, err := req.Redeem(ctx)
			if err != nil {
				return nil, err
			}
			if cfg.Validate() != nil || req.Type != "fake" || req.Profile != "ext" || req.Options["secret"] != "a=b" || !req.Overwrite {
				return nil, errors.New("bad request")
			}
			return shared.Settings{"secret": req.Options["secret"], "region": "eu-west-1"}, nil
		}},
		{name: "invalid options: the token is kept", wantErr: "option secret is required",
			store: func(context.Context, stores.InitRequest) (shared.Settings, error) { return nil, errInvalid }},
		{name: "never redeemed", wantErr: "the fake store did not redeem the token",
			store: func(context.Context, stores.InitRequest) (shared.Settings, error) {
				return shared.Settings{}, nil
			}},
		{name: "save fails after redeeming", wantErr: "store is down; the one-time token is now used up", wantBinds: 1,
			store: func(ctx context.Context, req stores.InitRequest) (shared.Settings, error) {
				if _, err := req.Redeem(ctx); err != nil {
					return nil, err
				}
				return nil, errors.New("store is down")
			}},
		{name: "redeem twice", wantErr: "already redeemed by this command", wantBinds: 1,
			store: func(ctx context.Context, req stores.InitRequest) (shared.Settings, error) {
				if _, err := req.Redeem(ctx); err != nil {
					return nil, err
				}
				_, err := req.Redeem(ctx)
				return nil, err
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newInitFixture(t, "")
			opts := &initOptions{f: fx.f, Hostname: fx.s.Host(), Token: fx.s.NewToken(), Name: "ext", Storage: "fake", Force: true, initStore: tt.store}
			_ = opts.StoreOptions.Set("secret=a=b")
			err := runInit(context.Background(), opts)
			if got := fx.s.Stats().Binds; got != tt.wantBinds {
				t.Errorf("binds = %d, want %d", got, tt.wantBinds)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				if _, err := os.Stat(fx.ini); err == nil {
					t.Error("keeper.ini written")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			p, _ := fx.profile(t, "ext")
			if p.Storage != "fake" || p.Settings["secret"] != "a=b" || p.Settings["region"] != "eu-west-1" || len(p.Settings) != 2 {
				t.Errorf("profile = %+v", p)
			}
			data, _ := os.ReadFile(fx.ini)
			for _, k := range []string{"clientid", "privatekey", "appkey"} {
				if bytes.Contains(data, []byte(k)) {
					t.Errorf("keeper.ini holds %s", k)
				}
			}
		})
	}
}

func TestStoreOptionsParse(t *testing.T) {
	tests := []struct {
		in      []string
		want    map[string]string
		wantErr string
	}{
		{in: nil, want: map[string]string{}},
		{in: []string{"a=1", "b=x=y", "c="}, want: map[string]string{"a": "1", "b": "x=y", "c": ""}},
		{in: []string{"a=1", "SECRETVALUE"}, wantErr: "--store-option #2 is not NAME=VALUE"},
		{in: []string{"=v"}, wantErr: "--store-option #1 is not NAME=VALUE"},
		{in: []string{"a=1", "a=2"}, wantErr: "--store-option a is given twice"},
	}
	for _, tt := range tests {
		var o storeOptions
		for _, s := range tt.in {
			_ = o.Set(s)
		}
		got, err := o.parse()
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%v: error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || len(got) != len(tt.want) {
			t.Errorf("%v: got %v, %v", tt.in, got, err)
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("%v: %s = %q, want %q", tt.in, k, got[k], v)
			}
		}
	}
}

// The flags as Keeper's CLI spells them: -h is --hostname, -t --token, -p
// --profile-name; --help still shows help.
func TestInitFlags(t *testing.T) {
	fx := newInitFixture(t, "")
	var out bytes.Buffer
	app := &cli.App{Name: "ksm", Writer: &out, ErrWriter: &out, Commands: []*cli.Command{newInitCommand(fx.f)}}
	tok := fx.s.NewToken()
	if err := app.Run([]string{"ksm", "init", "-h", fx.s.Host(), "-t", tok, "-p", "short"}); err != nil {
		t.Fatal(err)
	}
	p, _ := fx.profile(t, "short")
	if p.Config[shared.KeyHostname] != fx.s.Host() {
		t.Errorf("hostname = %q", p.Config[shared.KeyHostname])
	}
	out.Reset()
	if err := app.Run([]string{"ksm", "init", "--help"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"--hostname value, -h value", "--token value, -t value", "ksm profile init --token US:XXXX"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "server-public-key") {
		t.Errorf("help still offers --server-public-key:\n%s", out.String())
	}
	if fx.s.Stats().Requests != 2 { // one bind: two requests through Keeper's SDK
		t.Errorf("server saw %+v", fx.s.Stats())
	}
}
