// Package app builds the ksm command tree and runs it: global flags, the
// Factory every command shares, and the mapping of errors to exit codes.
package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync/atomic"

	"github.com/hashicorp/go-hclog"
	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/configcmd"
	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/inifile"
	"github.com/ksm-cli/ksm/cli/internal/iostreams"
	"github.com/ksm-cli/ksm/cli/internal/keeperini"
	"github.com/ksm-cli/ksm/cli/internal/keeperkeyring"
	"github.com/ksm-cli/ksm/cli/plugincmd"
	"github.com/ksm-cli/ksm/cli/profile"
	"github.com/ksm-cli/ksm/cli/secretcmd"
	"github.com/ksm-cli/ksm/internal/atomicfile"
	"github.com/ksm-cli/ksm/internal/launch"
	"github.com/ksm-cli/ksm/internal/safetext"
	"github.com/ksm-cli/ksm/internal/setupflags"
)

// Exit codes.
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
)

// Build describes this build of ksm.
type Build struct {
	Version string
	// Bundled maps each store type built with ksm to its plugin's SHA-256.
	Bundled map[string]string
}

// ParseBundled reads "type=sha256,type=sha256" (set at link time).
func ParseBundled(s string) map[string]string {
	m := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		if typ, sum, ok := strings.Cut(strings.TrimSpace(kv), "="); ok && typ != "" && sum != "" {
			m[typ] = sum
		}
	}
	return m
}

// New returns the ksm app; f is filled in from the global flags before any
// command runs.
func New(f *cmdutil.Factory, build Build) *cli.App {
	f.Plugins.Bundled = build.Bundled
	app := &cli.App{
		Name:    "ksm",
		Usage:   "Keeper Secrets Manager profiles, with pluggable config storage",
		Version: build.Version,
		Description: `ksm keeps Keeper Secrets Manager client-device profiles in keeper.ini,
compatible with Keeper's own CLI. A profile's config can live in keeper.ini
or in an external store (AWS Secrets Manager, a file, or any installed
ksm-storage-<type> plugin).

Examples:
   ksm profile import -p prod - < prod.b64
   ksm profile list
   ksm profile show prod
   ksm profile export prod --file-format json`,
		Reader:         f.IO.In,
		Writer:         f.IO.Out,
		ErrWriter:      f.IO.ErrOut,
		ExitErrHandler: func(*cli.Context, error) {}, // Main decides the exit code
		Flags:          setupflags.GlobalFlags(),
		Before:         func(c *cli.Context) error { return configure(f, c) },
		Commands: []*cli.Command{
			profile.NewCommand(f),
			secretcmd.NewCommand(f),
			plugincmd.NewCommand(f),
			configcmd.NewCommand(f),
			newCompletionCommand(),
		},
	}
	setUsageErrors(app.Commands)
	app.OnUsageError = usageError
	app.Action = unknownCommand
	return app
}

// unknownCommand is the action of ksm and of every command group: they do
// nothing themselves but show help, or name the command that was mistyped.
func unknownCommand(c *cli.Context) error {
	if c.NArg() == 0 {
		return cli.ShowSubcommandHelp(c)
	}
	path := strings.TrimSpace(c.Command.HelpName)
	if path == "" {
		path = c.App.Name
	}
	return cmdutil.Usagef("unknown command %q for %q; run `%s --help` to see the commands", c.Args().First(), path, path)
}

// configure fills the Factory from the global flags.
func configure(f *cmdutil.Factory, c *cli.Context) error {
	f.IniFile = c.String("ini-file")
	f.Profile = c.String("profile")
	f.Timeout = c.Duration("timeout")
	if f.Timeout <= 0 {
		return cmdutil.Usagef("--timeout must be positive")
	}
	if c.Bool("cache") {
		return cmdutil.Usagef("--cache is refused: ksm keeps no offline record cache and always asks Keeper; drop it (--no-cache is accepted)")
	}
	level, err := logLevel(c)
	if err != nil {
		return err
	}
	// A plugin that cannot even start gets no longer than a call would.
	f.Plugins.StartTimeout = min(f.Timeout, launch.DefaultStartTimeout)
	f.Plugins.CallTimeout = f.Timeout
	// A keeper.ini lock held elsewhere is waited for no longer than a call.
	atomicfile.LockTimeout = f.Timeout
	if level != hclog.NoLevel {
		f.Log = hclog.New(&hclog.LoggerOptions{Name: "ksm", Level: level, Output: f.IO.ErrOut})
	}
	// --color is Keeper's default: colour on a terminal only (Keeper's
	// CLI strips colour off a pipe too, recorded in cli/e2e/testdata/keepercli).
	if c.Bool("no-color") {
		f.IO.Color = false
	}
	return redirectOutput(f, c)
}

// logLevel maps --debug and Keeper's --log-level to a level of ksm's log
// (NoLevel: no log). DEBUG is --debug; ksm logs little above it, so INFO,
// WARNING and ERROR mostly keep it quiet, as in Keeper's CLI.
func logLevel(c *cli.Context) (hclog.Level, error) {
	level := hclog.NoLevel
	if c.Bool("debug") {
		level = hclog.Debug
	}
	if v := c.String("log-level"); v != "" {
		levels := map[string]hclog.Level{"DEBUG": hclog.Debug, "INFO": hclog.Info, "WARNING": hclog.Warn, "ERROR": hclog.Error}
		l, ok := levels[strings.ToUpper(v)]
		if !ok {
			return level, cmdutil.Usagef("--log-level must be DEBUG, INFO, WARNING or ERROR, not %q", v)
		}
		if level == hclog.NoLevel || l < level {
			level = l
		}
	}
	return level, nil
}

func usageError(_ *cli.Context, err error, _ bool) error { return &cmdutil.UsageError{Err: err} }

func setUsageErrors(cmds []*cli.Command) {
	for _, c := range cmds {
		c.OnUsageError = usageError
		if len(c.Subcommands) == 0 {
			// urfave/cli gives every command a "help" (alias "h")
			// subcommand, which would take `profile show h` to be a request
			// for help instead of the profile named h.
			c.HideHelpCommand = true
		}
		if len(c.Subcommands) > 0 && c.Action == nil {
			c.Action = unknownCommand
		}
		setUsageErrors(c.Subcommands)
	}
}

// NewFactory returns a Factory on the real process environment.
func NewFactory(io *iostreams.Streams) *cmdutil.Factory {
	cwd, _ := os.Getwd()
	home, _ := os.UserHomeDir()
	f := &cmdutil.Factory{
		IO:     io,
		Getenv: os.Getenv,
		Env:    inifile.Env{Getenv: os.Getenv, Cwd: cwd, Home: home, GOOS: runtime.GOOS},
		Log:    hclog.NewNullLogger(),
	}
	return f
}

// Main runs ksm and returns the process exit code.
func Main(ctx context.Context, args []string, io *iostreams.Streams, build Build) int {
	// Guarded once a plugin is about to run (not at start-up): then no
	// plugin may read ksm's memory, and a stop signal stops the plugins.
	var unguard atomic.Pointer[func()]
	launch.BeforeFirstLaunch(func() {
		hardenProcess()
		// Daemons that double-fork away from a plugin become ksm's, and
		// are ended with it (ksm starts nothing else outside its group).
		launch.AdoptOrphans()
		stop := handleSignals()
		unguard.Store(&stop)
	})
	defer func() {
		if stop := unguard.Load(); stop != nil {
			(*stop)()
		}
	}()
	f := NewFactory(io)
	a := New(f, build)
	if len(args) > 1 && args[1] == completeCommand {
		return runComplete(a, f, args[2:])
	}
	err := a.RunContext(ctx, normalizeArgs(a, args))
	addKeyringHint(f, err)
	if werr := writeOutput(f); err == nil {
		err = werr
	}
	return report(io, err)
}

// addKeyringHint tells a user of Keeper's CLI whose command failed for
// want of a keeper.ini about the profiles Keeper keeps in the OS keyring.
// It is asked for here, after the command failed and before the error is
// printed: never while a message is built, and never by a command that
// merely checks for a keeper.ini.
func addKeyringHint(f *cmdutil.Factory, err error) {
	var noIni *keeperini.NoIniError
	if errors.As(err, &noIni) && noIni.Hint == "" {
		noIni.Hint = keeperkeyring.Hint(f.PluginHost(), f.Timeout, f.Log)
	}
}

// report prints an error as Keeper's CLI does ("Error: ...") and picks the
// exit code: 2 for usage mistakes, 1 for everything else.
func report(io *iostreams.Streams, err error) int {
	if err == nil {
		return ExitOK
	}
	// One line, whatever a plugin, keeper.ini or a server put in it.
	fmt.Fprintf(io.ErrOut, "Error: %s\n", safetext.Escape(strings.TrimSpace(err.Error())))
	var usage *cmdutil.UsageError
	if errors.As(err, &usage) || missingRequiredFlag(err) {
		return ExitUsage
	}
	return ExitError
}

// requiredFlagWording starts urfave/cli's message for missing required
// flags ("Required flag %q not set", "Required flags %q not set").
const requiredFlagWording = "Required flag"

// missingRequiredFlag is the one place that reads an error's text:
// urfave/cli reports a missing required flag with an unexported type and
// nothing to match with errors.As. TestMissingRequiredFlagWording pins
// the wording, so an upgrade that changes it fails there, not in users'
// exit codes.
func missingRequiredFlag(err error) bool {
	return strings.HasPrefix(err.Error(), requiredFlagWording)
}
