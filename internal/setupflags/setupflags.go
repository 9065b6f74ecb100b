// Package setupflags owns the flags that `ksm profile setup` parses beside
// a store's own options, and derives from them the names a store may not
// use for its options or settings: one source, so that a new flag can
// never meet a store option of the same name (urfave/cli panics on a
// duplicate flag) and no store can write a key ksm keeps for itself.
package setupflags

import (
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
		&cli.StringFlag{Name: "type", Usage: "the store `TYPE` (a ksm-storage-TYPE plugin)", Destination: &v.Type},
		&cli.StringFlag{Name: "profile-name", Aliases: []string{"p"}, Usage: "profile to create (default: $KSM_CLI_PROFILE or _default)", Destination: &v.Name},
		&cli.StringFlag{Name: "from-profile", Usage: "first save this profile's config into the store", Destination: &v.FromProfile},
		&cli.BoolFlag{Name: "force", Usage: "replace an existing profile, and let the store overwrite what it holds", Destination: &v.Force},
	}
}

// GlobalFlags are ksm's global flags. They are accepted after any command,
// `profile setup` included, where they are taken out before the store's
// options are parsed.
func GlobalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "ini-file", Usage: "use this keeper.ini instead of searching for one", TakesFile: true},
		&cli.StringFlag{Name: "profile", Usage: "profile to use instead of the active one", EnvVars: []string{"KSM_CLI_PROFILE"}},
		&cli.BoolFlag{Name: "debug", Usage: "log what ksm does to standard error", EnvVars: []string{"KSM_DEBUG"}},
		&cli.DurationFlag{Name: "timeout", Usage: "limit for each storage plugin call and server request", Value: 30 * time.Second, EnvVars: []string{"KSM_TIMEOUT"}},
	}
}

// ReservedNames are the names a store's options and settings must not use:
// every name and alias of setup's own flags, of ksm's global flags and of
// the help flag urfave/cli adds, and the storage key.
func ReservedNames() []string {
	var names []string
	flags := append(append(SetupFlags(&Setup{}), GlobalFlags()...), cli.HelpFlag)
	for _, f := range flags {
		names = append(names, f.Names()...)
	}
	return append(names, StorageKey)
}
