package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ksm-cli/ksm/plugins/keyring/keyringtest"
)

// TestKeyringScripts runs testdata/keyring through ksm and
// ksm-storage-keyring against a real GNOME Keyring: each script gets its
// own private D-Bus session and keyring (their state is what the scripts
// test), and Python's keyring library in Keeper CLI 1.4's layout as the
// other CLI. Scripts see the session's DBUS_SESSION_BUS_ADDRESS and
// XDG_RUNTIME_DIR, and these commands:
//
//	pykeyring [-stdin FILE] CMD ARGS...  keeper_keyring.py (see keyringtest); output on stdout
//	keyringlock                          lock the keyring, as a screen lock does
//	keyringfreeze                        stop the Secret Service: it never answers again
//	within DURATION CMD ARGS...          exec CMD, which must end (pass or fail) within DURATION
func TestKeyringScripts(t *testing.T) {
	keyringtest.RequirePython(t)
	files, err := filepath.Glob("testdata/keyring/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts in testdata/keyring (%v)", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := keyringtest.Start(t)
			p := params(t, "")
			p.Files = []string{file}
			setup := p.Setup
			p.Setup = func(env *testscript.Env) error {
				if err := setup(env); err != nil {
					return err
				}
				for _, kv := range s.Env {
					k, v, _ := strings.Cut(kv, "=")
					if k == "DBUS_SESSION_BUS_ADDRESS" || k == "XDG_RUNTIME_DIR" {
						env.Setenv(k, v)
					}
				}
				return nil
			}
			p.Cmds["pykeyring"] = func(ts *testscript.TestScript, neg bool, args []string) {
				cmdPyKeyring(scriptTB{t, ts}, s, ts, neg, args)
			}
			p.Cmds["keyringlock"] = func(ts *testscript.TestScript, neg bool, args []string) { s.Lock(scriptTB{t, ts}) }
			p.Cmds["keyringfreeze"] = func(ts *testscript.TestScript, neg bool, args []string) { s.Freeze(scriptTB{t, ts}) }
			p.Cmds["within"] = cmdWithin
			testscript.Run(t, p)
		})
	}
}

func cmdPyKeyring(t testing.TB, s *keyringtest.Session, ts *testscript.TestScript, neg bool, args []string) {
	stdin := ""
	if len(args) >= 2 && args[0] == "-stdin" {
		stdin = ts.ReadFile(args[1])
		args = args[2:]
	}
	if len(args) == 0 {
		ts.Fatalf("usage: pykeyring [-stdin FILE] CMD ARGS...")
	}
	out, err := s.Keeper(t, stdin, args...)
	ts.Stdout().Write([]byte(out))
	if err != nil {
		ts.Stderr().Write([]byte(err.Error() + "\n"))
	}
	if (err != nil) != neg {
		ts.Fatalf("pykeyring %s: %v (want %s)", strings.Join(args, " "), err, map[bool]string{true: "failure", false: "success"}[neg])
	}
}

// within DURATION CMD ARGS...: exec, and fail if it took longer.
func cmdWithin(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: within DURATION CMD ARGS...")
	}
	limit, err := time.ParseDuration(args[0])
	ts.Check(err)
	begin := time.Now()
	err = ts.Exec(args[1], args[2:]...)
	if took := time.Since(begin); took > limit {
		ts.Fatalf("%s took %v, more than %v", args[1], took.Round(time.Millisecond), limit)
	}
	if (err != nil) != neg {
		ts.Fatalf("%s: %v", args[1], err)
	}
}

// Every ksm command in the keyring plugin's README is run by a keyring
// script: some `exec ksm` line there has all of the example's words (an
// upper-case placeholder such as TOKEN stands for any word).
func TestKeyringReadmeExamplesAreRun(t *testing.T) {
	readme, err := os.ReadFile("../../plugins/keyring/README.md")
	if err != nil {
		t.Fatal(err)
	}
	var scripts [][]string
	files, _ := filepath.Glob("testdata/keyring/*.txtar")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if rest, ok := strings.CutPrefix(line, "exec ksm "); ok {
				scripts = append(scripts, strings.Fields(rest))
			}
		}
	}
	placeholder := regexp.MustCompile(`^[A-Z][A-Z_]+$`)
	examples := 0
	inCode := false
	for _, line := range strings.Split(string(readme), "\n") {
		if strings.HasPrefix(line, "```") {
			inCode = !inCode
			continue
		}
		rest, ok := strings.CutPrefix(line, "ksm ")
		if !inCode || !ok {
			continue
		}
		examples++
		words := strings.Fields(rest)
		run := slices.ContainsFunc(scripts, func(script []string) bool {
			for _, w := range words {
				if !placeholder.MatchString(w) && !slices.Contains(script, w) {
					return false
				}
			}
			return true
		})
		if !run {
			t.Errorf("README example not run by any testdata/keyring script: ksm %s", rest)
		}
	}
	if examples == 0 {
		t.Error("no ksm examples found in the README")
	}
}

// scriptTB is what a keyringtest helper called by a script command
// reports to: its failures end that script (ts.Fatalf, in the script's
// own goroutine) instead of calling FailNow on the parent test from
// another goroutine, which would hide the real failure; its cleanups run
// when the script ends. The embedded parent serves only what is safe from
// any goroutine (Helper, Name, TempDir).
type scriptTB struct {
	testing.TB
	ts *testscript.TestScript
}

func (s scriptTB) Fatal(args ...any)                 { s.ts.Fatalf("%s", fmt.Sprint(args...)) }
func (s scriptTB) Fatalf(format string, args ...any) { s.ts.Fatalf(format, args...) }
func (s scriptTB) Error(args ...any)                 { s.Fatal(args...) }
func (s scriptTB) Errorf(format string, args ...any) { s.ts.Fatalf(format, args...) }
func (s scriptTB) Fail()                             { s.ts.Fatalf("keyring helper failed") }
func (s scriptTB) FailNow()                          { s.ts.Fatalf("keyring helper failed") }
func (s scriptTB) Failed() bool                      { return false }
func (s scriptTB) Log(args ...any)                   { s.ts.Logf("%s", fmt.Sprint(args...)) }
func (s scriptTB) Logf(format string, args ...any)   { s.ts.Logf(format, args...) }
func (s scriptTB) Cleanup(f func())                  { s.ts.Defer(f) }

// A prerequisite missing under a script is a failure, named as a skip
// would be: `make test-tools` installs them all.
func (s scriptTB) Skip(args ...any) {
	s.ts.Fatalf("cannot skip a script step: %s", fmt.Sprint(args...))
}
func (s scriptTB) Skipf(format string, args ...any) {
	s.ts.Fatalf("cannot skip a script step: "+format, args...)
}
func (s scriptTB) SkipNow() { s.ts.Fatalf("cannot skip a script step") }
