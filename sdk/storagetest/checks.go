package storagetest

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
	"testing"
	"time"

	"github.com/ksm-cli/ksm/internal/setupflags"
	"github.com/ksm-cli/ksm/shared"
)

// command runs the binary directly with exactly env, as ksm does.
func command(binary string, env []string) *exec.Cmd {
	cmd := exec.Command(binary)
	cmd.Env = append([]string{}, env...)
	return cmd
}

// runByHand: without ksm's cookie the plugin explains itself on stderr,
// keeps stdout clean and exits 1.
func (h *harness) runByHand(t *testing.T) {
	ctx, cancel := h.ctx()
	defer cancel()
	cmd := exec.CommandContext(ctx, h.cfg.Binary)
	cmd.Env = append([]string{}, h.cfg.Env...) // never nil: nil would inherit ours
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
		t.Errorf("run by hand: stderr %q does not say it is a ksm storage plugin", stderr.String())
	}
}

func (h *harness) describeIsSane(t *testing.T) {
	if err := h.desc.Check(h.typ, setupflags.ReservedNames()); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			t.Errorf("describe: %s", line)
		}
	}
}

// describeIsStatic: the same answer twice, and from a plugin started
// without any environment (no credentials, no config).
func (h *harness) describeIsStatic(t *testing.T) {
	ctx, cancel := h.ctx()
	defer cancel()
	again, err := h.conn.Store.Describe(ctx)
	if err != nil {
		t.Fatalf("second describe: %v", err)
	}
	if !reflect.DeepEqual(again, h.desc) {
		t.Errorf("describe changed between two calls:\n%+v\n%+v", h.desc, again)
	}
	bare := h.launch(t, nil)
	got, err := bare.Store.Describe(ctx)
	if err != nil {
		t.Fatalf("describe with an empty environment: %v", err)
	}
	if !reflect.DeepEqual(got, h.desc) {
		t.Errorf("describe depends on the environment:\n%+v\n%+v", h.desc, got)
	}
}

func (h *harness) validateAccepts(t *testing.T) {
	ctx, cancel := h.ctx()
	defer cancel()
	first, err := h.conn.Store.Validate(ctx, h.cfg.ValidOptions)
	if err != nil {
		t.Fatalf("validate(ValidOptions): %v", err)
	}
	second, err := h.conn.Store.Validate(ctx, h.cfg.ValidOptions)
	if err != nil || !maps.Equal(first, second) {
		t.Errorf("validate is not repeatable: %v then %v (%v)", keys(first), keys(second), err)
	}
}

func (h *harness) validateRejects(t *testing.T) {
	type invalid struct {
		name    string
		options map[string]string
	}
	cases := []invalid{{"unknown option", with(h.cfg.ValidOptions, "storagetest-no-such-option", "x")}}
	for _, o := range h.desc.Options {
		if o.Required {
			cases = append(cases, invalid{"without required " + o.Name, without(h.cfg.ValidOptions, o.Name)})
		}
		if o.Type == shared.OptionEnum {
			cases = append(cases, invalid{"enum " + o.Name + " not allowed", with(h.cfg.ValidOptions, o.Name, "storagetest-not-allowed")})
		}
		if o.Type == shared.OptionBool {
			cases = append(cases, invalid{"bool " + o.Name + " not a bool", with(h.cfg.ValidOptions, o.Name, "storagetest-not-bool")})
		}
	}
	for i, o := range h.cfg.InvalidOptions {
		cases = append(cases, invalid{"InvalidOptions[" + strconv.Itoa(i) + "]", o})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := h.ctx()
			defer cancel()
			_, err := h.conn.Store.Validate(ctx, c.options)
			wantCode(t, "validate", err, shared.CodeInvalidArgument)
		})
	}
}

func (h *harness) loadMissing(t *testing.T) {
	if h.cfg.MissingSettings == nil {
		t.Skip("Config.MissingSettings not given")
	}
	ctx, cancel := h.ctx()
	defer cancel()
	_, err := h.conn.Store.Load(ctx, h.cfg.MissingSettings)
	wantCode(t, "load(MissingSettings)", err, shared.CodeNotFound)
}

// loadEmptySettings: settings missing altogether are the user's mistake,
// not a crash or an unknown error.
func (h *harness) loadEmptySettings(t *testing.T) {
	ctx, cancel := h.ctx()
	defer cancel()
	_, err := h.conn.Store.Load(ctx, shared.Settings{})
	if code := shared.CodeOf(err); code != shared.CodeInvalidArgument && code != shared.CodeNotFound {
		t.Errorf("load(empty settings): got %v (%v), want invalid argument or not found", code, err)
	}
}

func (h *harness) settings(t *testing.T) shared.Settings {
	t.Helper()
	ctx, cancel := h.ctx()
	defer cancel()
	s, err := h.conn.Store.Validate(ctx, h.cfg.ValidOptions)
	if err != nil {
		t.Fatalf("validate(ValidOptions): %v", err)
	}
	return s
}

func (h *harness) saveLoad(t *testing.T) {
	settings := h.settings(t)
	sample := h.cfg.SampleConfig
	if sample == nil {
		sample = FakeConfig()
	}
	changed := maps.Clone(sample)
	changed[shared.KeyHostname] = "keepersecurity.eu"
	// The second save replaces a ksm config, which needs no overwrite.
	for _, cfg := range []shared.Config{sample, changed} {
		ctx, cancel := h.ctx()
		if err := h.conn.Store.Save(ctx, shared.SaveRequest{Settings: settings, Config: cfg}); err != nil {
			cancel()
			t.Fatalf("save: %v", err)
		}
		got, err := h.conn.Store.Load(ctx, settings)
		cancel()
		if err != nil {
			t.Fatalf("load after save: %v", err)
		}
		sameConfig(t, got, cfg)
	}
}

func (h *harness) saveUnimplemented(t *testing.T) {
	ctx, cancel := h.ctx()
	defer cancel()
	err := h.conn.Store.Save(ctx, shared.SaveRequest{Settings: h.settings(t), Config: FakeConfig()})
	wantCode(t, "save (CanSave is false)", err, shared.CodeUnimplemented)
}

func (h *harness) loadSample(t *testing.T) {
	if h.cfg.SampleConfig == nil {
		t.Skip("Config.SampleConfig not given")
	}
	ctx, cancel := h.ctx()
	defer cancel()
	got, err := h.conn.Store.Load(ctx, h.settings(t))
	if err != nil {
		t.Fatalf("load(ValidOptions): %v", err)
	}
	sameConfig(t, got, h.cfg.SampleConfig)
}

// deadlines: an expired deadline fails at once, a very short one returns
// promptly (answered or DeadlineExceeded), and the plugin survives both.
func (h *harness) deadlines(t *testing.T) {
	settings := h.settings(t)
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	cancel()
	_, err := h.conn.Store.Load(expired, settings)
	wantCode(t, "load with an expired deadline", err, shared.CodeDeadlineExceeded)

	for _, d := range []time.Duration{time.Millisecond, 20 * time.Millisecond} {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		start := time.Now()
		_, err := h.conn.Store.Load(ctx, settings)
		took := time.Since(start)
		cancel()
		if took > d+time.Second {
			t.Errorf("load with a %v deadline returned after %v", d, took)
		}
		if err != nil && shared.CodeOf(err) != shared.CodeDeadlineExceeded {
			t.Errorf("load with a %v deadline: got %v (%v), want success or deadline exceeded", d, shared.CodeOf(err), err)
		}
	}
	ctx, cancel := h.ctx()
	defer cancel()
	if _, err := h.conn.Store.Describe(ctx); err != nil {
		t.Errorf("plugin unusable after short deadlines: %v", err)
	}
}

func wantCode(t *testing.T, what string, err error, want shared.Code) {
	t.Helper()
	if got := shared.CodeOf(err); got != want || err == nil {
		t.Errorf("%s: got %v (%v), want %v", what, got, err, want)
		return
	}
	if strings.TrimSpace(err.Error()) == "" {
		t.Errorf("%s: %v error without a message", what, want)
	}
}

// sameConfig compares configs naming differing keys only: values may be
// secrets.
func sameConfig(t *testing.T, got, want shared.Config) {
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
