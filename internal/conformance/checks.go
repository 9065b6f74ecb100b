package conformance

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"os/exec"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"google.golang.org/grpc/codes"

	"github.com/ksm-cli/ksm/internal/launch"
	"github.com/ksm-cli/ksm/internal/wire"
	"github.com/ksm-cli/ksm/shared"
)

// storageKey is the keeper.ini key naming a profile's store type.
const storageKey = "storage"

// exitAfterShutdown is how long ksm waits for a plugin to exit once asked.
const exitAfterShutdown = 2 * time.Second

// handshake: the plugin prints a conforming handshake line, flushed, and
// serves StorageService on the private unix socket it names.
func (s *Suite) handshake(t T) {
	p, err := s.startRaw(s.cfg.Env)
	if err != nil {
		t.Fatalf("%v", err)
	}
	s.mu.Lock()
	s.raw = p
	s.mu.Unlock()
	ctx, cancel := s.describeCtx()
	defer cancel()
	if _, err := p.store.Describe(ctx, &shared.DescribeRequest{}); err != nil {
		t.Errorf("describe on the socket of the handshake: %v", err)
	}
}

// starts: ksm's launcher starts it and Describe answers.
func (s *Suite) starts(t T) {
	conn, err := s.launch(s.cfg.Env)
	if err != nil {
		t.Fatalf("%v", err)
	}
	s.store = &recorder{Store: conn.Store}
	ctx, cancel := s.describeCtx()
	desc, err := s.store.Describe(ctx)
	cancel()
	if err != nil {
		t.Fatalf("describe: %v", err)
	}
	s.desc = desc
	if s.cfg.Guess && s.cfg.ValidOptions == nil {
		s.guess(t)
	}
}

// Names the guessed options give; with the sandbox as working directory a
// path option names a file inside it.
const (
	guessConfig  = "ksm-check-config"
	guessMissing = "ksm-check-missing"
)

// guess makes up options: each required option set to a plain name.
func (s *Suite) guess(t T) {
	made := func(value string) map[string]string {
		opts := map[string]string{}
		for _, o := range s.desc.Options {
			if o.Required {
				opts[o.Name] = value
			}
		}
		return opts
	}
	ctx, cancel := s.ctx()
	defer cancel()
	valid := made(guessConfig)
	if _, err := s.store.Validate(ctx, valid); err != nil {
		t.Logf("made-up options %s are refused (%v); give options that validate accepts to run the checks that need them", optionList(valid), err)
		return
	}
	s.cfg.ValidOptions = valid
	t.Logf("using made-up options %s", optionList(valid))
	if s.cfg.MissingSettings == nil {
		if settings, err := s.store.Validate(ctx, made(guessMissing)); err == nil {
			s.cfg.MissingSettings = settings
		}
	}
}

// runByHand: without ksm's cookie the plugin explains itself on stderr,
// keeps stdout clean and exits 1.
func (s *Suite) runByHand(t T) {
	ctx, cancel := s.ctx()
	defer cancel()
	cmd := exec.CommandContext(ctx, s.cfg.Binary)
	launch.ExecVerified(cmd, s.cfg.Exec)
	cmd.Env = s.cfg.Env
	cmd.Dir = launch.StartDir(s.cfg.Binary)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("run by hand: got %v, want exit status 1", err)
	}
	if stdout.Len() > 0 {
		t.Errorf("run by hand: wrote %d bytes to stdout, want none", stdout.Len())
	}
	if !strings.Contains(stderr.String(), "ksm storage plugin") {
		t.Errorf("run by hand: stderr %q does not say it is a ksm storage plugin", cut(stderr.String()))
	}
}

func (s *Suite) describeIsValid(t T) {
	s.ready(t)
	if err := s.desc.Check(s.typ, reservedNames); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			t.Errorf("describe: %s", line)
		}
	}
}

func (s *Suite) versionIsSet(t T) {
	s.ready(t)
	if strings.TrimSpace(s.desc.Version) == "" {
		t.Errorf("describe: no version; report the plugin's release (e.g. 1.2.0) in the version field")
	}
}

// optionNamesAreFree: no option or setting may take a name `ksm profile
// setup` uses itself.
func (s *Suite) optionNamesAreFree(t T) {
	s.ready(t)
	reserved := reservedNames
	for _, o := range s.desc.Options {
		if slices.Contains(reserved, o.Name) {
			t.Errorf("option %q is a name ksm reserves (%s); rename it", o.Name, strings.Join(reserved, ", "))
		}
	}
	if s.cfg.ValidOptions == nil {
		return
	}
	ctx, cancel := s.ctx()
	defer cancel()
	// Settings share the profile's keeper.ini section with the key ksm
	// writes itself; other flag names are fine there (the aws store keeps
	// "profile", as Keeper's own CLI does).
	if settings, err := s.store.Validate(ctx, s.cfg.ValidOptions); err == nil {
		for k := range settings {
			if strings.EqualFold(k, storageKey) {
				t.Errorf("validate returns setting %q, the key where ksm records the store type; rename it", k)
			}
		}
	}
}

// describeIsStatic: the same answer twice, and from a plugin started
// without any environment (no credentials, no config).
func (s *Suite) describeIsStatic(t T) {
	s.ready(t)
	ctx, cancel := s.describeCtx()
	again, err := s.store.Describe(ctx)
	cancel()
	if err != nil {
		t.Fatalf("second describe: %v", err)
	}
	if !reflect.DeepEqual(again, s.desc) {
		t.Errorf("describe changed between two calls:\n%+v\n%+v", s.desc, again)
	}
	bare, err := s.launch([]string{})
	if err != nil {
		t.Fatalf("start with an empty environment: %v", err)
	}
	ctx, cancel = s.describeCtx()
	defer cancel()
	got, err := bare.Store.Describe(ctx, &shared.DescribeRequest{})
	if err != nil {
		t.Fatalf("describe with an empty environment: %v", err)
	}
	if !reflect.DeepEqual(&got.Description, s.desc) {
		t.Errorf("describe depends on the environment:\n%+v\n%+v", s.desc, got)
	}
}

func (s *Suite) needValid(t T) {
	t.Helper()
	s.ready(t)
	if s.cfg.ValidOptions == nil {
		t.Skipf("no options that validate accepts (give them with --option NAME=VALUE)")
	}
}

func (s *Suite) validateAccepts(t T) {
	s.needValid(t)
	ctx, cancel := s.ctx()
	defer cancel()
	first, err := s.store.Validate(ctx, s.cfg.ValidOptions)
	if err != nil {
		t.Fatalf("validate(valid options): %v", err)
	}
	second, err := s.store.Validate(ctx, s.cfg.ValidOptions)
	if err != nil || !maps.Equal(first, second) {
		t.Errorf("validate is not repeatable: %v then %v (%v)", keys(first), keys(second), err)
	}
}

func (s *Suite) validateRejects(t T) {
	s.ready(t)
	valid := s.cfg.ValidOptions
	type invalid struct {
		name    string
		options map[string]string
	}
	cases := []invalid{{"unknown option", with(valid, "storagetest-no-such-option", "x")}}
	for _, o := range s.desc.Options {
		if o.Required && valid != nil {
			cases = append(cases, invalid{"without required " + o.Name, without(valid, o.Name)})
		}
		if o.Type == shared.OptionEnum {
			cases = append(cases, invalid{"enum " + o.Name + " not allowed", with(valid, o.Name, "storagetest-not-allowed")})
		}
		if o.Type == shared.OptionBool {
			cases = append(cases, invalid{"bool " + o.Name + " not a bool", with(valid, o.Name, "storagetest-not-bool")})
		}
	}
	for i, o := range s.cfg.InvalidOptions {
		cases = append(cases, invalid{"invalid options #" + strconv.Itoa(i+1), o})
	}
	for _, c := range cases {
		ctx, cancel := s.ctx()
		_, err := s.store.Validate(ctx, c.options)
		cancel()
		wantCode(t, "validate ("+c.name+")", err, shared.CodeInvalidArgument)
	}
}

func (s *Suite) loadMissing(t T) {
	s.ready(t)
	if s.cfg.MissingSettings == nil {
		t.Skipf("no settings of a missing config given")
	}
	ctx, cancel := s.ctx()
	defer cancel()
	_, err := s.store.Load(ctx, s.cfg.MissingSettings)
	wantCode(t, "load(settings of a missing config)", err, shared.CodeNotFound)
}

// loadEmptySettings: settings missing altogether are the user's mistake,
// not a crash or an unknown error.
func (s *Suite) loadEmptySettings(t T) {
	s.ready(t)
	ctx, cancel := s.ctx()
	defer cancel()
	_, err := s.store.Load(ctx, shared.Settings{})
	if code := shared.CodeOf(err); code != shared.CodeInvalidArgument && code != shared.CodeNotFound {
		t.Errorf("load(empty settings): got %v (%v), want invalid argument or not found", code, err)
	}
}

func (s *Suite) settings(t T) shared.Settings {
	t.Helper()
	ctx, cancel := s.ctx()
	defer cancel()
	settings, err := s.store.Validate(ctx, s.cfg.ValidOptions)
	if err != nil {
		t.Fatalf("validate(valid options): %v", err)
	}
	return settings
}

func (s *Suite) saveLoad(t T) {
	s.needValid(t)
	if !s.desc.CanSave {
		t.Skipf("the store cannot save")
	}
	settings := s.settings(t)
	sample := s.cfg.SampleConfig
	if sample == nil {
		sample = FakeConfig()
	}
	changed := maps.Clone(sample)
	changed[shared.KeyHostname] = "keepersecurity.eu"
	// The second save replaces a ksm config, which needs no overwrite.
	for _, cfg := range []shared.Config{sample, changed} {
		ctx, cancel := s.ctx()
		if err := s.store.Save(ctx, shared.SaveRequest{Settings: settings, Config: cfg}); err != nil {
			cancel()
			t.Fatalf("save: %v", err)
		}
		got, err := s.store.Load(ctx, settings)
		cancel()
		if err != nil {
			t.Fatalf("load after save: %v", err)
		}
		sameConfig(t, got, cfg)
	}
}

func (s *Suite) saveUnimplemented(t T) {
	s.needValid(t)
	if s.desc.CanSave {
		t.Skipf("the store can save")
	}
	ctx, cancel := s.ctx()
	defer cancel()
	err := s.store.Save(ctx, shared.SaveRequest{Settings: s.settings(t), Config: FakeConfig()})
	wantCode(t, "save (can_save is false)", err, shared.CodeUnimplemented)
}

func (s *Suite) loadSample(t T) {
	s.needValid(t)
	if s.desc.CanSave {
		t.Skipf("the store can save (see SaveThenLoadRoundTrips)")
	}
	if s.cfg.SampleConfig == nil {
		t.Skipf("no sample config given")
	}
	ctx, cancel := s.ctx()
	defer cancel()
	got, err := s.store.Load(ctx, s.settings(t))
	if err != nil {
		t.Fatalf("load(valid options): %v", err)
	}
	sameConfig(t, got, s.cfg.SampleConfig)
}

// deadlines: an expired deadline fails at once, a very short one returns
// promptly (answered or DeadlineExceeded), the plugin survives both, and
// no call outlives its deadline: a plugin asked to stop right after calls
// ran out of time exits as promptly as ksm needs.
func (s *Suite) deadlines(t T) {
	s.ready(t)
	settings := shared.Settings{}
	if s.cfg.ValidOptions != nil {
		settings = s.settings(t)
	}
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	cancel()
	_, err := s.store.Load(expired, settings)
	wantCode(t, "load with an expired deadline", err, shared.CodeDeadlineExceeded)

	refused := false
	for _, d := range []time.Duration{time.Millisecond, 20 * time.Millisecond} {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		start := time.Now()
		_, err := s.store.Load(ctx, settings)
		took := time.Since(start)
		cancel()
		if took > d+time.Second {
			t.Errorf("load with a %v deadline returned after %v", d, took)
		}
		// Without valid options the settings are empty: the plugin may
		// refuse them before it looks at its deadline.
		switch shared.CodeOf(err) {
		case shared.CodeDeadlineExceeded, shared.CodeNotFound, shared.CodeInvalidArgument:
		case shared.CodeUnavailable, shared.CodeUnauthenticated, shared.CodePermissionDenied:
			// The store is down or refused the credentials: the plugin
			// answered in time, which is all this check is about (and if it
			// crashed instead, Describe below fails).
			if !refused {
				refused = true
				t.Logf("the store is unreachable or refused the credentials (%v): give options and credentials of a working store for the checks that need one", err)
			}
		default:
			if err != nil {
				t.Errorf("load with a %v deadline: got %v (%v), want an answer or deadline exceeded", d, shared.CodeOf(err), err)
			}
		}
	}
	ctx, cancel := s.describeCtx()
	defer cancel()
	if _, err := s.store.Describe(ctx); err != nil {
		t.Errorf("plugin unusable after short deadlines: %v", err)
	}
	s.callsEndAtDeadline(t, settings)
}

// callsEndAtDeadline: gRPC ends a call at its deadline on both sides
// whatever the plugin does, so a plugin that ignores it shows only in
// what is left running: calls that keep it from exiting when asked.
func (s *Suite) callsEndAtDeadline(t T, settings shared.Settings) {
	p, err := s.startRaw(s.cfg.Env)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	defer p.kill()
	const d = 100 * time.Millisecond
	calls := []struct {
		method string
		call   func(context.Context) error
	}{
		{"validate", func(ctx context.Context) error {
			_, err := p.store.Validate(ctx, &shared.ValidateRequest{Options: s.cfg.ValidOptions})
			return err
		}},
		{"load", func(ctx context.Context) error {
			_, err := p.store.Load(ctx, &shared.LoadRequest{Settings: settings})
			return err
		}},
	}
	for _, c := range calls {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		_ = c.call(ctx)
		cancel()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	served, err := p.shutdown(ctx)
	if !served {
		t.Logf("the plugin does not serve plugin.GRPCController/Shutdown; calls that outlive their deadline cannot be seen")
		return
	}
	if !p.waitExit(exitAfterShutdown) {
		t.Errorf("a call outlived its deadline: after validate and load with a %v deadline, the plugin asked to stop was still running %v later (shutdown: %v); calls must return when their deadline passes",
			d, exitAfterShutdown, errOrOK(err))
	}
}

// errorsAreOneLine: every error the plugin returned during the checks is
// one line of text: ksm prints it after "store: " on the terminal.
func (s *Suite) errorsAreOneLine(t T) {
	s.ready(t)
	for _, e := range s.store.errors() {
		msg := e.err.Error()
		switch {
		case strings.TrimSpace(msg) == "":
			t.Errorf("%s: %v error without a message", e.method, shared.CodeOf(e.err))
		case strings.ContainsFunc(msg, unicode.IsControl):
			t.Errorf("%s: error message %q has a line break or control character; make it one line of plain text", e.method, cut(msg))
		}
	}
}

// errorsCarryStoreErrorDetail: every error the plugin answered during the
// checks carries the StoreError detail (docs/plugin-protocol.md, Errors).
// Without it ksm cannot tell the store's answer from gRPC's own failures:
// a plain UNAVAILABLE (the store is down) reads as a crashed plugin. Only
// an expired deadline may come without it: gRPC itself ends such a call.
func (s *Suite) errorsCarryStoreErrorDetail(t T) {
	s.ready(t)
	for _, r := range s.store.statuses() {
		if wire.HasStoreErrorDetail(r.st) {
			continue
		}
		switch r.st.Code() {
		case codes.DeadlineExceeded, codes.Canceled:
			continue
		}
		t.Errorf("%s: answered %s %q without the StoreError detail; add a ksm.storage.v1.StoreError to the status details of every error the store returns",
			r.method, r.st.Code(), cut(r.st.Message()))
	}
}

// nothingOnStdout: after the handshake, stdout carries nothing: neither
// through go-plugin's stdio stream nor written straight to it.
func (s *Suite) nothingOnStdout(t T) {
	s.mu.Lock()
	raw := s.raw
	s.raw = nil // stopped below, not by Close
	s.mu.Unlock()
	if raw != nil {
		ctx, cancel := s.ctx()
		_, _ = raw.store.Describe(ctx, &shared.DescribeRequest{})
		if s.cfg.ValidOptions != nil {
			if v, err := raw.store.Validate(ctx, &shared.ValidateRequest{Options: s.cfg.ValidOptions}); err == nil {
				_, _ = raw.store.Load(ctx, &shared.LoadRequest{Settings: v.Settings})
			}
		}
		_, _ = raw.store.Load(ctx, &shared.LoadRequest{Settings: shared.Settings{}})
		cancel()
	}
	// The plugins of the other checks: what their stdio streams delivered
	// before they stopped (best effort; the calls above are where the
	// barrier of stdoutAfterHandshake applies).
	_ = s.Close()
	var written []byte
	if raw != nil {
		written = raw.stdoutAfterHandshake()
	}
	s.mu.Lock()
	written = append(written, s.stdout.Bytes()...)
	s.mu.Unlock()
	if len(written) > 0 {
		t.Errorf("wrote %d bytes to stdout after the handshake, starting %q; stdout carries the plugin protocol: log to stderr instead",
			len(written), cut(string(written)))
	}
}

func wantCode(t T, what string, err error, want shared.Code) {
	t.Helper()
	if got := shared.CodeOf(err); got != want || err == nil {
		t.Errorf("%s: got %v (%v), want %v", what, got, err, want)
	}
}

// sameConfig compares configs naming differing keys only: values may be
// secrets.
func sameConfig(t T, got, want shared.Config) {
	t.Helper()
	var diff []string
	for k := range maps.Keys(want) {
		if g, ok := got[k]; !ok || g != want[k] {
			diff = append(diff, k)
		}
	}
	for k := range maps.Keys(got) {
		if _, ok := want[k]; !ok {
			diff = append(diff, k+" (unexpected)")
		}
	}
	if len(diff) > 0 {
		sort.Strings(diff)
		t.Errorf("loaded config differs in %s", strings.Join(diff, ", "))
	}
}

// optionList shows options as flags would give them.
func optionList(m map[string]string) string {
	if len(m) == 0 {
		return "(none)"
	}
	var parts []string
	for _, k := range keys(m) {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, " ")
}

func errOrOK(err error) string {
	if err != nil {
		return err.Error()
	}
	return "answered"
}

func with(m map[string]string, k, v string) map[string]string {
	out := maps.Clone(m)
	if out == nil {
		out = map[string]string{}
	}
	out[k] = v
	return out
}

func without(m map[string]string, k string) map[string]string {
	out := maps.Clone(m)
	delete(out, k)
	return out
}

func keys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}
