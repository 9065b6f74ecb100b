// Package configcmd implements `ksm config ...`: Keeper's CLI's settings in
// keeper.ini's [_config] section (color, cache, record-type-dir, editor),
// shown and set with the same commands, keys and values Keeper's CLI 1.4
// uses, so that both CLIs keep working on one keeper.ini.
package configcmd

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/inifile"
	"github.com/ksm-cli/ksm/cli/internal/profiles"
)

// The [_config] keys, as Keeper's CLI writes them.
const (
	keyActive        = "active_profile"
	keyColor         = "color"
	keyCache         = "cache"
	keyRecordTypeDir = "record_type_dir"
	keyEditor        = "editor"
	keyEditorBlocks  = "editor_use_blocking"
	keyEditorProcess = "editor_process_name"
)

// NewCommand returns `ksm config` and its subcommands.
func NewCommand(f *cmdutil.Factory) *cli.Command {
	return &cli.Command{
		Name:  "config",
		Usage: "Show or set keeper.ini's settings ([_config]), as Keeper's CLI does",
		Description: `These are Keeper's CLI's settings, kept in keeper.ini for it: ksm itself
colours only terminals (see --color, --no-color), keeps no record cache,
and uses neither record type schemas nor an editor.

Examples:
   ksm config show
   ksm config color --disable
   ksm config editor --app vim --blocking`,
		Subcommands: []*cli.Command{
			newShowCommand(f),
			newSwitchCommand(f, "color", keyColor, "Enable or disable colour (for Keeper's CLI)"),
			newSwitchCommand(f, "cache", keyCache, "Enable or disable Keeper's CLI's record cache (ksm keeps none)"),
			newRecordTypeDirCommand(f),
			newEditorCommand(f),
		},
	}
}

// setting is a [_config] key's new value; bare is configparser's "no value"
// (Python's None), which Keeper's CLI writes for a cleared setting.
type setting struct {
	key, value string
	bare       bool
}

// update writes settings into [_config] of the keeper.ini in use (never
// creating one: there would be no profile for Keeper's CLI to use it with).
func update(ctx context.Context, f *cmdutil.Factory, settings ...setting) error {
	if err := f.Ini().RequireIni(); err != nil {
		return err
	}
	_, err := f.Ini().Update(ctx, func(b *profiles.Book) error {
		file := b.File()
		inifile.EnsureConfig(file)
		for _, s := range settings {
			inifile.SetKey(file, inifile.ConfigSection, s.key, s.value, s.bare)
		}
		return nil
	})
	return err
}

// pyBool is how Keeper's CLI writes a boolean: str(True).
func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

func newSwitchCommand(f *cmdutil.Factory, name, key, usage string) *cli.Command {
	return &cli.Command{
		Name:      name,
		Usage:     usage,
		UsageText: "ksm config " + name + " --enable|--disable",
		Description: fmt.Sprintf(`Writes %s = True or False in [_config].

Example:
   ksm config %s --disable`, key, name),
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "enable", Usage: "write " + key + " = True"},
			&cli.BoolFlag{Name: "disable", Usage: "write " + key + " = False"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return cmdutil.Usagef("config %s takes no arguments, got %q", name, c.Args().First())
			}
			on, off := c.Bool("enable"), c.Bool("disable")
			if on == off {
				return cmdutil.Usagef("config %s needs exactly one of --enable or --disable", name)
			}
			return update(c.Context, f, setting{key: key, value: pyBool(on)})
		},
	}
}

func newRecordTypeDirCommand(f *cmdutil.Factory) *cli.Command {
	return &cli.Command{
		Name:      "record-type-dir",
		Usage:     "Set the directory of record type schemas (for Keeper's CLI)",
		UsageText: "ksm config record-type-dir --directory DIR | --clear",
		Description: `Writes record_type_dir in [_config]; the directory must exist.

Example:
   ksm config record-type-dir -d ~/.keeper/record_types`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "directory", Aliases: []string{"d"}, Usage: "the `DIR` holding record type schemas", TakesFile: true},
			&cli.BoolFlag{Name: "clear", Usage: "remove the setting"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return cmdutil.Usagef("config record-type-dir takes no arguments, got %q; use --directory DIR", c.Args().First())
			}
			if c.Bool("clear") {
				return update(c.Context, f, setting{key: keyRecordTypeDir, bare: true})
			}
			dir := c.String("directory")
			if dir == "" {
				return cmdutil.Usagef("config record-type-dir needs --directory DIR or --clear")
			}
			if _, err := os.Stat(dir); err != nil {
				return fmt.Errorf("cannot use %s as the record type directory: %w", dir, errors.Unwrap(err))
			}
			return update(c.Context, f, setting{key: keyRecordTypeDir, value: dir})
		},
	}
}

func newEditorCommand(f *cmdutil.Factory) *cli.Command {
	return &cli.Command{
		Name:      "editor",
		Usage:     "Set the editor Keeper's CLI uses to edit records",
		UsageText: "ksm config editor --application APP [--blocking] [--process-name NAME] | --clear",
		Description: `Writes editor, editor_use_blocking and editor_process_name in [_config]
(a given application always sets editor_use_blocking, as in Keeper's CLI).

Example:
   ksm config editor --app vim --blocking`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "application", Aliases: []string{"app"}, Usage: "the editor's path and name"},
			&cli.BoolFlag{Name: "blocking", Usage: "the editor runs in the foreground until it is closed"},
			&cli.StringFlag{Name: "process-name", Usage: "the editor's process name"},
			&cli.BoolFlag{Name: "clear", Usage: "remove the editor settings"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return cmdutil.Usagef("config editor takes no arguments, got %q; use --application APP", c.Args().First())
			}
			if c.Bool("clear") {
				return update(c.Context, f,
					setting{key: keyEditor, bare: true},
					setting{key: keyEditorBlocks, value: pyBool(false)},
					setting{key: keyEditorProcess, bare: true})
			}
			app := c.String("application")
			if app == "" {
				return cmdutil.Usagef("config editor needs --application APP or --clear")
			}
			settings := []setting{{key: keyEditor, value: app}, {key: keyEditorBlocks, value: pyBool(c.Bool("blocking"))}}
			if c.IsSet("process-name") {
				settings = append(settings, setting{key: keyEditorProcess, value: c.String("process-name")})
			}
			return update(c.Context, f, settings...)
		},
	}
}
