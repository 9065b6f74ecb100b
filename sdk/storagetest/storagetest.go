// Package storagetest checks a storage plugin binary against the ksm
// contract, from `go test`, launching it the way ksm does:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, storagetest.Config{
//			Binary:          bin, // built by storagetest.Build in TestMain
//			ValidOptions:    map[string]string{"path": dir + "/c.json"},
//			InvalidOptions:  []map[string]string{{"path": ""}},
//			MissingSettings: shared.Settings{"path": dir + "/none.json"},
//		})
//	}
package storagetest

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	hclog "github.com/hashicorp/go-hclog"

	"github.com/ksm-cli/ksm/internal/launch"
	"github.com/ksm-cli/ksm/shared"
)

// Config describes the plugin under test and inputs that suit it.
type Config struct {
	// Binary is the built plugin, named ksm-storage-<type> (see Build).
	Binary string
	// Env is the plugin's environment (ksm gives a plugin HOME, PATH, the
	// temp dir variables and the variables it declares, nothing else).
	Env []string
	// ValidOptions must pass Validate. The settings Validate returns are
	// where the round trip (or, for a store without Save, SampleConfig) is.
	ValidOptions map[string]string
	// InvalidOptions must each fail Validate with CodeInvalidArgument
	// (besides the unknown and missing-required options Run makes up).
	InvalidOptions []map[string]string
	// MissingSettings point at a config that does not exist: Load must
	// fail with CodeNotFound. Nil skips that check.
	MissingSettings shared.Settings
	// SampleConfig is saved and loaded back when the store can save
	// (default FakeConfig). When it cannot, a non-nil SampleConfig is what
	// Load must return at ValidOptions.
	SampleConfig shared.Config
	// StartTimeout bounds each launch and CallTimeout each call (10s each
	// if zero).
	StartTimeout, CallTimeout time.Duration
	// LogLevel of the plugin's log lines copied into the test log
	// (hclog.Warn if zero).
	LogLevel hclog.Level
}

// Run launches cfg.Binary and runs each check of the contract as a
// subtest of t.
func Run(t *testing.T, cfg Config) {
	t.Helper()
	if cfg.Binary == "" {
		t.Fatal("storagetest: Config.Binary is empty")
	}
	if !filepath.IsAbs(cfg.Binary) {
		abs, err := filepath.Abs(cfg.Binary)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Binary = abs
	}
	if cfg.StartTimeout == 0 {
		cfg.StartTimeout = 10 * time.Second
	}
	if cfg.CallTimeout == 0 {
		cfg.CallTimeout = 10 * time.Second
	}
	if cfg.LogLevel == hclog.NoLevel {
		cfg.LogLevel = hclog.Warn
	}
	h := &harness{cfg: cfg, typ: pluginType(cfg.Binary)}
	h.conn = h.launch(t, cfg.Env)
	ctx, cancel := h.ctx()
	defer cancel()
	desc, err := h.conn.Store.Describe(ctx)
	if err != nil {
		t.Fatalf("describe: %v", err)
	}
	h.desc = desc

	t.Run("RunByHand", h.runByHand)
	t.Run("DescribeIsSane", h.describeIsSane)
	t.Run("DescribeIsStatic", h.describeIsStatic)
	t.Run("ValidateAcceptsValidOptions", h.validateAccepts)
	t.Run("ValidateRejectsInvalidOptions", h.validateRejects)
	t.Run("LoadMissingIsNotFound", h.loadMissing)
	t.Run("LoadEmptySettingsFailsCleanly", h.loadEmptySettings)
	if desc.CanSave {
		t.Run("SaveThenLoadRoundTrips", h.saveLoad)
	} else {
		t.Run("SaveIsUnimplemented", h.saveUnimplemented)
		t.Run("LoadGivesSampleConfig", h.loadSample)
	}
	t.Run("DeadlinesAreHonoured", h.deadlines)
}

type harness struct {
	cfg  Config
	typ  string
	conn *launch.Conn
	desc *shared.Description
}

func pluginType(binary string) string {
	return strings.TrimPrefix(strings.TrimSuffix(filepath.Base(binary), ".exe"), shared.BinaryPrefix)
}

func (h *harness) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), h.cfg.CallTimeout)
}

// launch starts the plugin with env; it is closed when t ends.
func (h *harness) launch(t *testing.T, env []string) *launch.Conn {
	t.Helper()
	w := &testWriter{t: t}
	logger := hclog.New(&hclog.LoggerOptions{Output: w, Level: h.cfg.LogLevel, Name: "plugin"})
	cmd := command(h.cfg.Binary, env)
	ctx, cancel := context.WithTimeout(context.Background(), h.cfg.StartTimeout)
	defer cancel()
	conn, err := launch.Launch(ctx, launch.LaunchConfig{Cmd: cmd, Logger: logger, StartTimeout: h.cfg.StartTimeout})
	if err != nil {
		t.Fatalf("launch %s: %v", h.cfg.Binary, err)
	}
	t.Cleanup(func() {
		if err := conn.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
		w.stop()
	})
	return conn
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
