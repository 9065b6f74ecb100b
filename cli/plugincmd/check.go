package plugincmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/pluginhost"
	"github.com/ksm-cli/ksm/internal/conformance"
	"github.com/ksm-cli/ksm/internal/launch"
	"github.com/ksm-cli/ksm/internal/safetext"
	"github.com/ksm-cli/ksm/internal/scratch"
	"github.com/ksm-cli/ksm/internal/setupflags"
	"github.com/ksm-cli/ksm/shared"
)

type checkOptions struct {
	f       *cmdutil.Factory
	options cli.StringSlice
	missing cli.StringSlice
	// unsafe runs a plugin that fails the ownership rule, with a warning.
	unsafe bool
}

func newCheckCommand(f *cmdutil.Factory) *cli.Command {
	opts := &checkOptions{f: f}
	return &cli.Command{
		Name:      "check",
		Usage:     "Run the storage plugin contract against a plugin, in any language",
		ArgsUsage: "TYPE|PATH",
		Description: `Starts the plugin as ksm does, in a sandbox (a temporary directory as its
working directory, HOME and TMPDIR), runs every check of the contract
(docs/plugin-protocol.md) and prints one line per check. Exits 1 if any
check fails. The plugin is run whether or not it is trusted, and its trust
is left as it was; but a plugin another user could have changed (the
ownership rule of every launch) is refused unless --unsafe is given, and
every start runs the file opened and checked, never its path again. It
gets the variables it declares from this environment, once its description
passes ksm's checks (env rules included). The check takes at most about
12 seconds: Describe has 3, and the checks not begun when a plugin that
hangs has used up the time are reported as not run.

Without --option, each required option is set to "ksm-check-config" (a file
in the sandbox, for a path); if the plugin refuses that, the checks that
need a working store are skipped: give options it accepts.

Examples:
   ksm plugin check file
   ksm plugin check ./ksm-storage-vault --option path=secret/ksm
   AWS_PROFILE=dev ksm plugin check aws --option secret=ksm-check`,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "option", Usage: "a setup `NAME=VALUE` that validate accepts (repeatable)", Destination: &opts.options},
			&cli.BoolFlag{Name: "unsafe", Usage: "check a plugin that another user could have changed (it fails the ownership rule), with a warning", Destination: &opts.unsafe},
			&cli.StringSliceFlag{Name: "missing", Usage: "a setting `NAME=VALUE` of a config that does not exist: load must say not found (repeatable)", Destination: &opts.missing},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return cmdutil.Usagef("plugin check takes exactly one store TYPE or plugin PATH")
			}
			return runCheck(c.Context, opts, c.Args().First())
		},
	}
}

// checkBudget bounds a whole `ksm plugin check`, so that a plugin whose
// calls ignore their deadlines is reported in seconds, not minutes: the
// checks not begun within it are reported as not run, on one line.
const checkBudget = 12 * time.Second

func runCheck(ctx context.Context, opts *checkOptions, arg string) error {
	f := opts.f
	deadline := time.Now().Add(checkBudget)
	valid, err := pairs("--option", opts.options.Value())
	if err != nil {
		return err
	}
	missing, err := pairs("--missing", opts.missing.Value())
	if err != nil {
		return err
	}
	path, err := pluginPath(f, arg)
	if err != nil {
		return err
	}
	// The rule every launch applies: a file another user could change
	// is not run as you, unless you say so. Checked on the file opened
	// once, which is what every start below runs: a file renamed over the
	// path meanwhile is never run.
	exe, err := pluginhost.OpenPluginFile(path)
	if err != nil {
		var re *pluginhost.RefusedError
		if !errors.As(err, &re) || !opts.unsafe {
			if errors.As(err, &re) {
				return fmt.Errorf("%w; add --unsafe to check it anyway", err)
			}
			return err
		}
		fmt.Fprintf(f.IO.ErrOut, "Warning: %s\n", safetext.Escape(err.Error()))
		if exe, err = pluginhost.OpenUnsafePluginFile(path); err != nil {
			return err
		}
	}
	defer exe.Close()
	checkOpened(path)
	// Removed on return, on a stop signal (launch.CloseAll), or, if ksm
	// is killed, by the next check.
	sandbox, removeSandbox, err := scratch.MkdirTemp("", "ksm-plugin-check-")
	if err != nil {
		return fmt.Errorf("cannot make a sandbox directory: %w", err)
	}
	defer removeSandbox()
	for _, d := range []string{"home", "tmp"} {
		if err := os.Mkdir(filepath.Join(sandbox, d), 0o700); err != nil {
			return err
		}
	}
	env := sandboxEnv(f.Getenv, sandbox, nil)
	if declared := declaredEnv(ctx, f, path, exe, env, deadline); len(declared) > 0 {
		env = sandboxEnv(f.Getenv, sandbox, declared)
	}
	suite, err := conformance.New(conformance.Config{
		Binary: path, Exec: exe, Env: env, Dir: sandbox,
		ValidOptions: valid, MissingSettings: missing, Guess: valid == nil,
		StartTimeout: f.Plugins.StartTimeout, CallTimeout: f.Timeout, Deadline: deadline,
		Logger: f.Log.Named("plugin"),
	})
	if err != nil {
		return err
	}
	defer suite.Close()

	out := f.IO.Out
	fmt.Fprintf(out, "Checking %s (type %s) against storage protocol %d.\n", path, conformance.TypeOf(path), shared.ProtocolVersion)
	var passed, failed, skipped int
	var notRun []string
	conformance.Run(suite.Checks(), func(r conformance.Result) {
		switch {
		case r.NotRun:
			skipped++
			notRun = append(notRun, r.Name)
			return
		case r.Failed():
			failed++
			fmt.Fprintf(out, "FAIL  %s\n", r.Name)
			writeLines(out, r.Lines)
		case r.Skipped:
			skipped++
			fmt.Fprintf(out, "SKIP  %s: %s\n", r.Name, strings.Join(r.Lines, "; "))
		default:
			passed++
			fmt.Fprintf(out, "ok    %s\n", r.Name)
		}
		writeLines(out, r.Notes)
	})
	if len(notRun) > 0 {
		fmt.Fprintf(out, "SKIP  %s: not run: the plugin hangs; the checks above took the whole %v that plugin check allows (its calls ignore their deadlines)\n",
			strings.Join(notRun, ", "), checkBudget)
	}
	fmt.Fprintf(out, "%d passed, %d failed, %d skipped.\n", passed, failed, skipped)
	if failed > 0 {
		return fmt.Errorf("plugin %s fails %d of the contract's checks (above)", filepath.Base(path), failed)
	}
	// Checks that never ran are not passed.
	if len(notRun) > 0 {
		return fmt.Errorf("plugin %s hangs: %d of the contract's checks did not run within %v; make its calls return by their deadline", filepath.Base(path), len(notRun), checkBudget)
	}
	return nil
}

// checkOpened is called once the plugin file is opened and checked; a
// test swaps the file at path there, to show that what runs is what was
// checked.
var checkOpened = func(path string) {}

func writeLines(w io.Writer, lines []string) {
	for _, l := range lines {
		fmt.Fprintf(w, "      %s\n", l)
	}
}

// pluginPath finds the plugin of a type as ksm would, or takes a path
// (anything with a path separator) as it is.
func pluginPath(f *cmdutil.Factory, arg string) (string, error) {
	if !strings.ContainsRune(arg, filepath.Separator) && !strings.ContainsRune(arg, '/') {
		p, err := f.PluginHost().Find(arg)
		if err != nil {
			return "", err
		}
		return p.Path, nil
	}
	path, err := filepath.Abs(arg)
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(filepath.Base(path), shared.BinaryPrefix) {
		return "", cmdutil.Usagef("%s is not named %s<type>; a plugin's type is its name's suffix", arg, shared.BinaryPrefix)
	}
	if _, err := exec.LookPath(path); err != nil {
		return "", fmt.Errorf("%s is not an executable file: %w", arg, err)
	}
	return path, nil
}

// pairs reads NAME=VALUE flags; nil when none.
func pairs(flag string, values []string) (map[string]string, error) {
	if len(values) == 0 {
		return nil, nil
	}
	m := map[string]string{}
	for _, v := range values {
		name, value, ok := strings.Cut(v, "=")
		if !ok || name == "" {
			return nil, cmdutil.Usagef("%s takes NAME=VALUE, got %q", flag, v)
		}
		m[name] = value
	}
	return m, nil
}

// sandboxEnv is the plugin's environment: a home and temp dir of its own
// in the sandbox, the locale and PATH (an interpreter is found through it),
// and the variables it declares, from ours, as ksm passes them.
func sandboxEnv(getenv func(string) string, sandbox string, declared []string) []string {
	env := []string{"HOME=" + filepath.Join(sandbox, "home"), "TMPDIR=" + filepath.Join(sandbox, "tmp")}
	for _, name := range []string{"PATH", "LANG", "LC_ALL", "TZ"} {
		if v := getenv(name); v != "" {
			env = append(env, name+"="+v)
		}
	}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name == "HOME" || name == "TMPDIR" || shared.NeverPassed(name) || !shared.EnvMatches(declared, name) {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// declaredEnv asks the plugin which variables it needs; a plugin that does
// not answer gets none (the checks then say why it does not start).
func declaredEnv(ctx context.Context, f *cmdutil.Factory, path string, exe *os.File, env []string, deadline time.Time) []string {
	ctx, cancelAll := context.WithDeadline(ctx, deadline)
	defer cancelAll()
	cmd := exec.Command(path)
	cmd.Env = env
	conn, err := launch.Launch(ctx, launch.LaunchConfig{Cmd: cmd, Exec: exe, Logger: f.Log.Named("plugin"), StartTimeout: f.Plugins.StartTimeout})
	if err != nil {
		return nil
	}
	defer conn.Close()
	callCtx, cancel := context.WithTimeout(ctx, min(f.Timeout, conformance.DefaultDescribeTimeout))
	defer cancel()
	resp, err := conn.Store.Describe(callCtx, &shared.DescribeRequest{})
	if err != nil {
		return nil
	}
	// Its env rules are applied before any variable is passed: a
	// description ksm refuses (e.g. env "A*", which would take
	// AWS_SECRET_ACCESS_KEY) gets nothing beyond the sandbox's base.
	d := &resp.Description
	if d.Check(conformance.TypeOf(path), setupflags.ReservedNames()) != nil {
		return nil
	}
	return d.Env
}
