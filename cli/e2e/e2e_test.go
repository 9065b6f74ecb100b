// Package e2e runs ksm end to end: the real binaries, built once, driven by
// testscript scripts in testdata/script (one scenario per file).
package e2e

import (
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ksm-cli/ksm/plugins/vault/vaulttest"
)

// binDir holds ksm and the plugins built with it, as `make build` lays them out.
var binDir string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "ksm-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binDir = dir
	if err := buildAll(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// The Vault dev server some tests start is stopped after all of them.
	return vaulttest.Main(m)
}

// version is linked into every binary as `make build` does
// (-X main.version): ksm and its plugins report the same.
const version = "v0.0.0-e2e"

// buildAll builds with `make build`, the one recipe for ksm and the plugins
// built with it (the Makefile's PLUGINS): the plugins, then ksm with their
// SHA-256 sums linked in so that it trusts them beside it.
func buildAll(dir string) error {
	// TESTTAGS=devtools: ksm then lets keepertest read the requests of
	// Keeper's SDK (see the Makefile); the shipped build has no such hook.
	cmd := exec.Command("make", "--no-print-directory", "-s", "build", "BIN="+dir, "VERSION="+version, "TESTTAGS=devtools")
	cmd.Dir = "../.."
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("make build: %v\n%s", err, out)
	}
	// The SDK's example plugin, as a third party would ship it: from a
	// module of its own, into a directory of its own, not trusted until
	// the user says so.
	if err := goBuildIn("../../sdk/examples/go", filepath.Join(dir, "example", "ksm-storage-env"), "."); err != nil {
		return err
	}
	// A plugin an outside author built against the previous sdk (commit
	// 00475f8, frozen with its own module): ksm keeps running it.
	if err := goBuildIn("../../sdk/storagetest/testdata/previous", filepath.Join(dir, "previous", "ksm-storage-previous"), "."); err != nil {
		return err
	}
	// Other versions of it, for install and trust: an upgrade, and one
	// whose version holds a terminal title sequence and a bidi override.
	for sub, v := range map[string]string{"example2": "2.0.0", "exampleesc": "3.0.0\x1b]0;pwned\x07\u202e"} {
		if err := goBuildIn("../../sdk/examples/go", filepath.Join(dir, sub, "ksm-storage-env"), ".", "-ldflags", "-X main.version="+v); err != nil {
			return err
		}
	}
	// Plugins with one fault each, for `ksm plugin check` (their type names
	// the fault).
	faulty := filepath.Join(dir, "faulty", "ksm-storage-stdout")
	if err := goBuild(faulty, "./internal/conformance/testdata/faulty"); err != nil {
		return err
	}
	for _, fault := range []string{"deadline", "multiline", "reserved", "noversion", "greedyenv", "hangs"} {
		if err := os.Link(faulty, filepath.Join(dir, "faulty", "ksm-storage-"+fault)); err != nil {
			return err
		}
	}
	return nil
}

// goBuild compiles a package (relative to the module root).
func goBuild(out, pkg string, flags ...string) error {
	return goBuildIn("../..", out, pkg, flags...)
}

// goBuildIn compiles a package of the module in dir.
func goBuildIn(dir, out, pkg string, flags ...string) error {
	// The same tags as `make build`.
	args := append(append([]string{"build", "-tags", "urfave_cli_no_docs grpcnotrace", "-o", out}, flags...), pkg)
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build %s: %v\n%s", pkg, err, out)
	}
	return nil
}

func TestScripts(t *testing.T) {
	testscript.Run(t, params(t, "testdata/script"))
}

func params(t *testing.T, dir string) testscript.Params {
	ref, err := filepath.Abs("../../testdata/reference")
	if err != nil {
		t.Fatal(err)
	}
	configparser, err := filepath.Abs("testdata/read_keeper_ini.py")
	if err != nil {
		t.Fatal(err)
	}
	return testscript.Params{
		Dir: dir,
		Setup: func(env *testscript.Env) error {
			home := filepath.Join(env.WorkDir, "home")
			env.Setenv("PATH", binDir+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("HOME", home)
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
			env.Setenv("REF", ref)
			env.Setenv("CONFIGPARSER", configparser) // python3 $CONFIGPARSER FILE: keeper.ini as Keeper's CLI reads it
			env.Setenv("BIN", binDir)
			pyexample, err := filepath.Abs("../../sdk/examples/python/ksm-storage-pyexample")
			if err != nil {
				return err
			}
			env.Setenv("PYEXAMPLE", pyexample)
			nodeexample, err := filepath.Abs("../../sdk/examples/node")
			if err != nil {
				return err
			}
			env.Setenv("NODEEXAMPLE", nodeexample) // the directory: the script, storage.proto, node_modules
			config1, err := os.ReadFile(filepath.Join(ref, "config1.b64"))
			if err != nil {
				return err
			}
			twoINI, err := os.ReadFile(filepath.Join(ref, "two-profiles.ini"))
			if err != nil {
				return err
			}
			env.Setenv("REF_CONFIG1", strings.TrimSpace(string(config1)))
			env.Setenv("REF_TWO_INI", base64.StdEncoding.EncodeToString(twoINI))
			if err := setupKeeper(env); err != nil { // keeper_test.go
				return err
			}
			return os.MkdirAll(home, 0o700)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"mode":     cmdMode,
			"readonly": cmdReadonly,
			"tinyfs":   cmdTinyFS,
			"chown":    cmdChown,
			// keeper_test.go
			"keepertoken":   keeperCmds["keepertoken"],
			"keeperstats":   keeperCmds["keeperstats"],
			"keeperwait":    keeperCmds["keeperwait"],
			"keeperfault":   keeperCmds["keeperfault"],
			"keeperproxied": keeperCmds["keeperproxied"],
			"nosecrets":     keeperCmds["nosecrets"],
			"setenvfile":    keeperCmds["setenvfile"],
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "root":
				return os.Geteuid() == 0, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	}
}

// chown PATH UID: give PATH to another user (root only: guard with [root]).
func cmdChown(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: chown PATH UID")
	}
	uid, err := strconv.Atoi(args[1])
	ts.Check(err)
	ts.Check(os.Lchown(ts.MkAbs(args[0]), uid, uid))
}

// mode FILE PERM: the file's permission bits are exactly PERM (octal).
func cmdMode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: mode FILE PERM")
	}
	want, err := strconv.ParseUint(args[1], 8, 32)
	if err != nil {
		ts.Fatalf("bad mode %q", args[1])
	}
	st, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	got := uint64(st.Mode().Perm())
	if (got == want) == neg {
		ts.Fatalf("%s has mode %04o, want %s%04o", args[0], got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// readonly DIR: make DIR unwritable, even for root (chattr +i), undone at
// the end of the script.
func cmdReadonly(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: readonly DIR")
	}
	dir := ts.MkAbs(args[0])
	if os.Geteuid() != 0 {
		ts.Check(os.Chmod(dir, 0o500))
		ts.Defer(func() { os.Chmod(dir, 0o700) })
		return
	}
	if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
		ts.Fatalf("chattr +i: %v: %s", err, out)
	}
	ts.Defer(func() { exec.Command("chattr", "-i", dir).Run() })
}

// tinyfs DIR SIZE: mount a tmpfs of SIZE (e.g. 16k) on DIR, to fill a disk.
// It needs root: guard it with `[!root] skip`.
func cmdTinyFS(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: tinyfs DIR SIZE")
	}
	dir := ts.MkAbs(args[0])
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+args[1], "tmpfs", dir).CombinedOutput(); err != nil {
		ts.Fatalf("mount tmpfs: %v: %s", err, out)
	}
	ts.Defer(func() { exec.Command("umount", "-l", dir).Run() })
}
