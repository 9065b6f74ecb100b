// Package setupflags owns the flags that `ksm profile setup` parses beside
// a store's own options, and derives from them the names a store may not
// use for its options or settings: one source, so that a new flag can
// never meet a store option of the same name (urfave/cli panics on a
// duplicate flag) and no store can write a key ksm keeps for itself.
package setupflags

import (
	"slices"
	"time"

	"github.com/urfave/cli/v2"
)

// StorageKey is the keeper.ini key naming a profile's store type; a store
// setting of that name would change the store the profile uses.
const StorageKey = "storage"

// Setup holds the values of `profile setup`'s own flags.
type Setup struct {
	Type        string
	Name        string
	FromProfile string
	Force       bool
}

// SetupFlags are `profile setup`'s own flags, bound to v.
func SetupFlags(v *Setup) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "type", Aliases: []string{"t"}, Usage: "the store `TYPE` (a ksm-storage-TYPE plugin)", Destination: &v.Type},
		&cli.StringFlag{Name: "profile-name", Aliases: []string{"p"}, Usage: "profile to create (default: $KSM_CLI_PROFILE or _default)", Destination: &v.Name},
		&cli.StringFlag{Name: "from-profile", Usage: "first save this profile's config into the store", Destination: &v.FromProfile},
		&cli.BoolFlag{Name: "force", Usage: "replace an existing profile, and let the store overwrite what it holds", Destination: &v.Force},
	}
}

// GlobalFlags are ksm's global flags, Keeper's CLI's included. Their long
// names are accepted after any command too, `profile setup` included, where
// they are taken out before the store's options are parsed; their short
// names (see Short) only before the command, as Keeper's CLI has them, since
// after it they belong to the command (`profile setup -c` is the aws
// store's --credentials, not --color).
func GlobalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "ini-file", Usage: "use this keeper.ini instead of searching for one", TakesFile: true},
		&cli.StringFlag{Name: "profile", Aliases: []string{"profile-name", "p"}, Usage: "profile to use instead of the active one", EnvVars: []string{"KSM_CLI_PROFILE"}},
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write standard output to `TARGET`: stdout, stderr or a new 0600 file, as Keeper's CLI does", TakesFile: true},
		&cli.BoolFlag{Name: "color", Aliases: []string{"c"}, Usage: "colour tables on a terminal (the default; Keeper's CLI option)"},
		&cli.BoolFlag{Name: "no-color", Aliases: []string{"nc"}, Usage: "never colour (as NO_COLOR does; wins over --color)"},
		&cli.BoolFlag{Name: "no-cache", Usage: "accepted for Keeper's CLI: ksm keeps no record cache"},
		&cli.BoolFlag{Name: "cache", Usage: "refused: ksm keeps no offline record cache (Keeper's CLI option)"},
		&cli.StringFlag{Name: "log-level", Usage: "log `LEVEL`: DEBUG is --debug; INFO, WARNING and ERROR log less (Keeper's CLI option)"},
		&cli.BoolFlag{Name: "debug", Usage: "log what ksm does to standard error", EnvVars: []string{"KSM_DEBUG"}},
		&cli.DurationFlag{Name: "timeout", Usage: "limit for each storage plugin call and server request", Value: 30 * time.Second, EnvVars: []string{"KSM_TIMEOUT"}},
	}
}

// Short reports whether a flag name is a short one (one dash, at most two
// letters: -p, -nc, as in Keeper's CLI). A global flag's short names are
// read only before the command.
func Short(name string) bool { return len(name) <= 2 }

// ReservedNames are the names a store's options and settings (and their
// short names) must not use: every name and alias of setup's own flags, the
// global flags' names accepted after a command (not their short names,
// which ksm reads only before it), the help flag urfave/cli adds, and the
// storage key.
func ReservedNames() []string {
	var names []string
	add := func(n string) {
		if !slices.Contains(names, n) { // --profile-name is setup's and a global alias
			names = append(names, n)
		}
	}
	for _, f := range append(SetupFlags(&Setup{}), cli.HelpFlag) {
		for _, n := range f.Names() {
			add(n)
		}
	}
	for _, f := range GlobalFlags() {
		for _, n := range f.Names() {
			if !Short(n) {
				add(n)
			}
		}
	}
	add(StorageKey)
	return names
}
