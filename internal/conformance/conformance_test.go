package conformance

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	faulty    string // the faulty plugin, built once
	buildErr  error
)

// plugin returns the faulty plugin installed as ksm-storage-<typ>.
func plugin(t *testing.T, typ string) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "conformance-")
		if err != nil {
			buildErr = err
			return
		}
		faulty = filepath.Join(dir, "faulty")
		if out, err := exec.Command("go", "build", "-o", faulty, "./testdata/faulty").CombinedOutput(); err != nil {
			buildErr = err
			t.Logf("%s", out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	bin := filepath.Join(t.TempDir(), "ksm-storage-"+typ)
	if err := os.Link(faulty, bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if faulty != "" {
		_ = os.RemoveAll(filepath.Dir(faulty))
	}
	os.Exit(code)
}

// run runs every check on the plugin of typ and returns the results.
func run(t *testing.T, typ string) map[string]Result {
	t.Helper()
	s, err := New(Config{
		Binary:          plugin(t, typ),
		Env:             []string{"PATH=" + os.Getenv("PATH")},
		ValidOptions:    map[string]string{optionName(typ): "here"},
		InvalidOptions:  []map[string]string{{}},
		MissingSettings: map[string]string{"where": "nowhere"},
		CallTimeout:     3e9,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	results := map[string]Result{}
	Run(s.Checks(), func(r Result) { results[r.Name] = r })
	return results
}

func optionName(typ string) string {
	if typ == "reserved" {
		return "profile"
	}
	return "slot"
}

func TestFaultlessPluginPasses(t *testing.T) {
	for name, r := range run(t, "faultless") {
		if r.Failed() {
			t.Errorf("%s failed: %s", name, strings.Join(r.Lines, "; "))
		}
	}
}

// A store that is down (or refuses the credentials) is the environment's
// fault, not the plugin's: the deadline check does not send its author to
// debug correct deadline code.
func TestStoreDownIsNotADeadlineFault(t *testing.T) {
	r := run(t, "storedown")["DeadlinesAreHonoured"]
	if r.Failed() || r.Skipped {
		t.Errorf("DeadlinesAreHonoured: failed %v, skipped %v: %q", r.Failed(), r.Skipped, r.Lines)
	}
}

// Each fault fails its check with a line that says what is wrong.
func TestEachFaultFailsItsCheck(t *testing.T) {
	tests := []struct {
		fault, check, line string
	}{
		{"stdout", "NothingOnStdout", `bytes to stdout after the handshake, starting "loading`},
		{"deadline", "DeadlinesAreHonoured", "a call outlived its deadline"},
		{"multiline", "ErrorsAreOneLine", `validate: error message "bad options:\n\x1b[31munknown option`},
		{"reserved", "OptionNamesAreFree", `option "profile" is a name ksm reserves`},
		{"noversion", "VersionIsSet", "describe: no version"},
		{"nodetail", "ErrorsCarryStoreErrorDetail", `load: answered NotFound "no config at nowhere" without the StoreError detail`},
	}
	for _, tt := range tests {
		t.Run(tt.fault, func(t *testing.T) {
			t.Parallel()
			results := run(t, tt.fault)
			r := results[tt.check]
			if !r.Failed() {
				t.Fatalf("%s passed the %s plugin", tt.check, tt.fault)
			}
			if !strings.Contains(strings.Join(r.Lines, "\n"), tt.line) {
				t.Errorf("%s: lines %q lack %q", tt.check, r.Lines, tt.line)
			}
		})
	}
}

// NothingOnStdout waits on a barrier, not a sleep: a write to stdout made
// during the calls is caught every time, whether it goes through
// go-plugin's stdio stream (Go's os.Stdout) or straight to file
// descriptor 1 (a plugin in another language).
func TestStdoutCaughtEveryTime(t *testing.T) {
	const runs = 50
	for _, fault := range []string{"stdout", "rawstdout"} {
		t.Run(fault, func(t *testing.T) {
			bin := plugin(t, fault)
			for i := range runs {
				s, err := New(Config{Binary: bin, Env: []string{"PATH=" + os.Getenv("PATH")},
					ValidOptions: map[string]string{"slot": "here"}, CallTimeout: 3e9})
				if err != nil {
					t.Fatal(err)
				}
				var only []Check
				for _, c := range s.Checks() {
					if c.Name == "Handshake" || c.Name == "NothingOnStdout" {
						only = append(only, c)
					}
				}
				results := map[string]Result{}
				Run(only, func(r Result) { results[r.Name] = r })
				_ = s.Close()
				if r := results["NothingOnStdout"]; !r.Failed() || !strings.Contains(strings.Join(r.Lines, "\n"), `starting "loading here`) {
					t.Fatalf("run %d of %d: NothingOnStdout: failed %v, lines %q", i+1, runs, r.Failed(), r.Lines)
				}
			}
		})
	}
}
