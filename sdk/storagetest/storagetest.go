// Package storagetest checks a storage plugin binary against the ksm
// contract from go test, launching it the way ksm does. It runs the same
// checks as `ksm plugin check`.
//
//	var binary string
//
//	func TestMain(m *testing.M) { storagetest.Main(m, ".", "mystore", &binary) }
//
//	func TestConformance(t *testing.T) {
//		dir := t.TempDir()
//		storagetest.Run(t, storagetest.Config{
//			Binary:          binary,
//			ValidOptions:    map[string]string{"path": dir + "/c.json"},
//			InvalidOptions:  []map[string]string{{"path": ""}},
//			MissingSettings: sdk.Settings{"path": dir + "/none.json"},
//		})
//	}
package storagetest

import (
	"strings"
	"sync"
	"testing"
	"time"

	hclog "github.com/hashicorp/go-hclog"

	"github.com/ksm-cli/ksm/internal/conformance"
	"github.com/ksm-cli/ksm/sdk"
)

// Config describes the plugin under test and inputs that suit it.
type Config struct {
	// Binary is the built plugin, named ksm-storage-<type> (see Build).
	Binary string
	// Env is the plugin's environment (ksm gives a plugin HOME, PATH, the
	// temp dir variables and the variables it declares, nothing else).
	Env []string
	// Dir is the plugin's working directory (ksm runs a plugin in its own
	// working directory); the test's when empty.
	Dir string
	// ValidOptions must pass Validate. The settings Validate returns are
	// where the round trip (or, for a store without Save, SampleConfig) is.
	ValidOptions map[string]string
	// InvalidOptions must each fail Validate with CodeInvalidArgument
	// (besides the unknown and missing-required options Run makes up).
	InvalidOptions []map[string]string
	// MissingSettings point at a config that does not exist: Load must
	// fail with CodeNotFound. Nil skips that check.
	MissingSettings sdk.Settings
	// SampleConfig is saved and loaded back when the store can save
	// (default FakeConfig). When it cannot, a non-nil SampleConfig is what
	// Load must return at ValidOptions.
	SampleConfig sdk.Config
	// StartTimeout bounds each launch and CallTimeout each call (10s each
	// if zero).
	StartTimeout, CallTimeout time.Duration
	// LogLevel of the plugin's log lines copied into the test log
	// (hclog.Warn if zero).
	LogLevel hclog.Level
}

// FakeConfig is a well-formed client config with made-up values, for
// round trips.
func FakeConfig() sdk.Config { return conformance.FakeConfig() }

// Run runs each check of the contract on cfg.Binary as a subtest of t.
func Run(t *testing.T, cfg Config) {
	t.Helper()
	if cfg.LogLevel == hclog.NoLevel {
		cfg.LogLevel = hclog.Warn
	}
	w := &testWriter{t: t}
	suite, err := conformance.New(conformance.Config{
		Binary: cfg.Binary, Env: cfg.Env, Dir: cfg.Dir,
		ValidOptions: cfg.ValidOptions, InvalidOptions: cfg.InvalidOptions,
		MissingSettings: cfg.MissingSettings, SampleConfig: cfg.SampleConfig,
		StartTimeout: cfg.StartTimeout, CallTimeout: cfg.CallTimeout,
		Logger: hclog.New(&hclog.LoggerOptions{Output: w, Level: cfg.LogLevel, Name: "plugin"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := suite.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
		w.stop()
	})
	for _, c := range suite.Checks() {
		t.Run(c.Name, func(t *testing.T) { c.Run(t) })
	}
}

// testWriter copies log lines into the test log until the test ends.
type testWriter struct {
	mu      sync.Mutex
	t       *testing.T
	stopped bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.t.Log(strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

func (w *testWriter) stop() {
	w.mu.Lock()
	w.stopped = true
	w.mu.Unlock()
}
