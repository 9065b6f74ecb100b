// Package conformance is the storage plugin contract as a list of checks,
// run against a plugin executable the way ksm runs it. sdk/storagetest runs
// them under go test; `ksm plugin check` runs them for a plugin in any
// language. docs/plugin-protocol.md is the contract they check.
package conformance

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	hclog "github.com/hashicorp/go-hclog"

	"github.com/ksm-cli/ksm/internal/launch"
	"github.com/ksm-cli/ksm/shared"
)

// T is what a check reports to: *testing.T, or Run's recorder.
type T interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
	Logf(format string, args ...any)
}

// Check is one rule of the contract.
type Check struct {
	Name string
	Run  func(T)
}

// Config describes the plugin under test and inputs that suit it.
type Config struct {
	// Binary is the plugin executable, named ksm-storage-<type>.
	Binary string
	// Exec, if set, is Binary opened and verified by the caller (the
	// ownership rule): every start of the suite runs this open file (on
	// Linux through /proc/self/fd), so a file swapped in at Binary's path
	// after the check is never run. Binary still names it. The caller
	// closes it after Close.
	Exec *os.File
	// Env is the plugin's whole environment (ksm gives a plugin HOME, PATH,
	// the temp dir variables and the variables it declares, nothing else).
	Env []string
	// Dir is the working directory the plugin is told of in Validate
	// (ValidateRequest.WorkingDir; this process's own when empty). The
	// plugin itself runs in "/", as every plugin ksm starts.
	Dir string
	// ValidOptions must pass Validate. The settings Validate returns are
	// where the round trip (or, for a store without Save, SampleConfig) is.
	ValidOptions map[string]string
	// InvalidOptions must each fail Validate with CodeInvalidArgument
	// (besides the unknown and missing-required options made up here).
	InvalidOptions []map[string]string
	// MissingSettings point at a config that does not exist: Load must
	// fail with CodeNotFound. Nil skips that check.
	MissingSettings shared.Settings
	// Guess, when ValidOptions is nil, makes up options from the
	// description (each required option set to a plain name, relative to
	// Dir for a path) and uses them if Validate accepts them; likewise
	// for MissingSettings. For `ksm plugin check` without --option.
	Guess bool
	// SampleConfig is saved and loaded back when the store can save
	// (default FakeConfig). When it cannot, a non-nil SampleConfig is what
	// Load must return at ValidOptions.
	SampleConfig shared.Config
	// StartTimeout bounds each start and CallTimeout each call (10s each
	// if zero). DescribeTimeout bounds each Describe (DefaultDescribeTimeout
	// if zero): it only reads a static description, so a plugin that takes
	// longer hangs.
	StartTimeout, CallTimeout, DescribeTimeout time.Duration
	// Deadline, if set, bounds the whole suite: every start and call ends
	// by it, and the checks not begun by then are not run (their Result
	// has NotRun set). `ksm plugin check` finishes in bounded time however
	// a plugin hangs.
	Deadline time.Time
	// Logger receives the plugin's log lines; nil discards them.
	Logger hclog.Logger
}

// DefaultDescribeTimeout bounds a Describe call when Config has no
// DescribeTimeout.
const DefaultDescribeTimeout = 3 * time.Second

// NotRun is the reason given for a check left out because the suite's
// Deadline passed before it began.
const NotRun = "not run: the time for the checks ran out, because the plugin hangs (its calls ignore their deadlines)"

// FakeConfig is a well-formed client config with made-up values.
func FakeConfig() shared.Config {
	return shared.Config{
		shared.KeyClientID:          "c3RvcmFnZXRlc3QtZmFrZS1jbGllbnQtaWQ=",
		shared.KeyPrivateKey:        "c3RvcmFnZXRlc3QtZmFrZS1wcml2YXRlLWtleQ==",
		shared.KeyAppKey:            "c3RvcmFnZXRlc3QtZmFrZS1hcHAta2V5",
		shared.KeyHostname:          "keepersecurity.com",
		shared.KeyServerPublicKeyID: "10",
		shared.KeyAppOwnerPublicKey: "c3RvcmFnZXRlc3QtZmFrZS1vd25lci1rZXk=",
	}
}

// Suite runs the checks of one plugin. Its checks share the running
// plugin: run them in order, then Close.
type Suite struct {
	cfg Config
	typ string

	mu     sync.Mutex
	conns  []*launch.Conn
	stdout bytes.Buffer // what plugins wrote through go-plugin's stdio stream
	raw    *rawPlugin   // started by the handshake check, read by the stdout check

	store *recorder // the main plugin, errors recorded
	desc  *shared.Description
}

// New prepares a suite; nothing runs until its checks do.
func New(cfg Config) (*Suite, error) {
	if cfg.Binary == "" {
		return nil, errors.New("conformance: no plugin executable given")
	}
	abs, err := filepath.Abs(cfg.Binary)
	if err != nil {
		return nil, err
	}
	cfg.Binary = abs
	if cfg.StartTimeout <= 0 {
		cfg.StartTimeout = 10 * time.Second
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = 10 * time.Second
	}
	if cfg.DescribeTimeout <= 0 {
		cfg.DescribeTimeout = DefaultDescribeTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = hclog.NewNullLogger()
	}
	cfg.Env = append([]string{}, cfg.Env...) // never nil: nil would inherit ours
	return &Suite{cfg: cfg, typ: TypeOf(cfg.Binary)}, nil
}

// TypeOf is the store type an executable's name gives.
func TypeOf(binary string) string {
	return strings.TrimPrefix(strings.TrimSuffix(filepath.Base(binary), ".exe"), shared.BinaryPrefix)
}

// Checks lists the contract's checks in the order they must run.
func (s *Suite) Checks() []Check {
	checks := []Check{
		{"Handshake", s.handshake},
		{"Starts", s.starts},
		{"RunByHand", s.runByHand},
		{"DescribeIsValid", s.describeIsValid},
		{"VersionIsSet", s.versionIsSet},
		{"OptionNamesAreFree", s.optionNamesAreFree},
		{"DescribeIsStatic", s.describeIsStatic},
		{"ValidateAcceptsValidOptions", s.validateAccepts},
		{"ValidateRejectsInvalidOptions", s.validateRejects},
		{"LoadMissingIsNotFound", s.loadMissing},
		{"LoadEmptySettingsFailsCleanly", s.loadEmptySettings},
		{"SaveThenLoadRoundTrips", s.saveLoad},
		{"SaveIsUnimplemented", s.saveUnimplemented},
		{"LoadGivesSampleConfig", s.loadSample},
		{"DeadlinesAreHonoured", s.deadlines},
		{"ErrorsAreOneLine", s.errorsAreOneLine},
		{"ErrorsCarryStoreErrorDetail", s.errorsCarryStoreErrorDetail},
		{"NothingOnStdout", s.nothingOnStdout},
	}
	for i, c := range checks {
		checks[i].Run = func(t T) {
			if s.spent() {
				t.Skipf("%s", NotRun)
			}
			c.Run(t)
		}
	}
	return checks
}

// spent reports whether the suite's Deadline has passed.
func (s *Suite) spent() bool {
	return !s.cfg.Deadline.IsZero() && !time.Now().Before(s.cfg.Deadline)
}

// within returns a ctx that ends after d, or at the suite's Deadline if
// that comes first.
func (s *Suite) within(d time.Duration) (context.Context, context.CancelFunc) {
	end := time.Now().Add(d)
	if !s.cfg.Deadline.IsZero() && s.cfg.Deadline.Before(end) {
		end = s.cfg.Deadline
	}
	return context.WithDeadline(context.Background(), end)
}

// describeCtx bounds one Describe.
func (s *Suite) describeCtx() (context.Context, context.CancelFunc) {
	return s.within(s.cfg.DescribeTimeout)
}

// Close stops every plugin the checks started.
func (s *Suite) Close() error {
	s.mu.Lock()
	conns, raw := s.conns, s.raw
	s.conns, s.raw = nil, nil
	s.mu.Unlock()
	var errs []error
	for _, c := range conns {
		errs = append(errs, c.Close())
	}
	if raw != nil {
		raw.kill()
	}
	return errors.Join(errs...)
}

func (s *Suite) ctx() (context.Context, context.CancelFunc) {
	return s.within(s.cfg.CallTimeout)
}

// launch starts the plugin as ksm does (in "/"), with env, telling it the
// suite's working directory in Validate; Close stops it.
func (s *Suite) launch(env []string) (*launch.Conn, error) {
	cmd := exec.Command(s.cfg.Binary)
	cmd.Env = append([]string{}, env...)
	ctx, cancel := s.within(s.cfg.StartTimeout)
	defer cancel()
	conn, err := launch.Launch(ctx, launch.LaunchConfig{
		Cmd: cmd, Exec: s.cfg.Exec, Logger: s.cfg.Logger, StartTimeout: s.cfg.StartTimeout,
		Stdout: lockedWriter{&s.mu, &s.stdout},
	})
	if err != nil {
		return nil, err
	}
	conn.Store = withWorkingDir{conn.Store, s.workingDir()}
	s.mu.Lock()
	s.conns = append(s.conns, conn)
	s.mu.Unlock()
	return conn, nil
}

// ready stops a check that needs the running plugin when it did not start.
func (s *Suite) ready(t T) {
	t.Helper()
	if s.store == nil || s.desc == nil {
		t.Skipf("the plugin did not start (see Starts)")
	}
}
