package app

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/internal/setupflags"
)

// normalizeArgs lets flags follow positional arguments and global flags
// follow the command (`ksm profile show prod --json --debug`), which
// urfave/cli v2 would otherwise read as arguments. It moves the flags of
// the leaf command ahead of its arguments and global flags to the front;
// everything after "--" stays as it is.
func normalizeArgs(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	globals := flagArity(app.Flags)
	// After the command, a global flag's short name is the command's.
	lateGlobals := map[string]bool{}
	for name, takesValue := range globals {
		if !setupflags.Short(name) || name == "h" {
			lateGlobals[name] = takesValue
		}
	}
	cmds := app.Commands
	i := 1
	var leading, hoisted []string
	// Walk global flags and the command path.
	var leaf *cli.Command
	for i < len(args) {
		a := args[i]
		if a == "--" {
			return args
		}
		if isFlag(a) {
			n := consumes(globals, a)
			leading = append(leading, args[i:min(i+n, len(args))]...)
			i += n
			continue
		}
		c := findCommand(cmds, a)
		if c == nil {
			break
		}
		leaf = c
		leading = append(leading, a)
		cmds = c.Subcommands
		i++
		if len(cmds) == 0 {
			break
		}
	}
	if leaf == nil {
		return args
	}
	own := flagArity(leaf.Flags)
	var flags, positional []string
	for i < len(args) {
		if leaf.SkipFlagParsing {
			// The command parses its own flags (profile setup): keep their
			// order and only take out the global ones.
			own = map[string]bool{}
		}
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i:]...)
			break
		}
		if !isFlag(a) {
			positional = append(positional, a)
			i++
			continue
		}
		name := flagName(a)
		_, ownFlag := own[name]
		_, globalFlag := lateGlobals[name]
		if !ownFlag && !globalFlag && !strings.HasPrefix(a, "--") && len(a) > 2 {
			// Not a flag of ours but a value that starts with '-', such as
			// a record UID (base64url): keep it as an argument.
			positional = append(positional, a)
			i++
			continue
		}
		if !ownFlag && name != "help" && name != "h" {
			if _, ok := lateGlobals[name]; ok {
				n := consumes(lateGlobals, a)
				hoisted = append(hoisted, args[i:min(i+n, len(args))]...)
				i += n
				continue
			}
		}
		if leaf.SkipFlagParsing {
			positional = append(positional, a)
			i++
			continue
		}
		n := consumes(own, a)
		flags = append(flags, args[i:min(i+n, len(args))]...)
		i += n
	}
	out := append([]string{args[0]}, hoisted...)
	out = append(out, leading...)
	out = append(out, flags...)
	if !leaf.SkipFlagParsing && needsSeparator(positional) {
		out = append(out, "--")
	}
	return append(out, positional...)
}

// needsSeparator reports whether an argument would be read as a flag
// unless "--" ends the flags first.
func needsSeparator(positional []string) bool {
	for _, a := range positional {
		if a == "--" {
			return false
		}
		if isFlag(a) {
			return true
		}
	}
	return false
}

func isFlag(a string) bool { return len(a) > 1 && strings.HasPrefix(a, "-") }

func flagName(a string) string {
	name := strings.TrimLeft(a, "-")
	if i := strings.IndexByte(name, '='); i >= 0 {
		name = name[:i]
	}
	return name
}

// consumes is how many tokens a flag takes: 2 for "--name value".
func consumes(arity map[string]bool, a string) int {
	if strings.Contains(a, "=") {
		return 1
	}
	if takesValue, ok := arity[flagName(a)]; ok && takesValue {
		return 2
	}
	return 1
}

// flagArity maps each flag name and alias to whether it takes a value.
func flagArity(flags []cli.Flag) map[string]bool {
	m := map[string]bool{"help": false, "h": false}
	for _, f := range flags {
		takesValue := true
		if _, ok := f.(*cli.BoolFlag); ok {
			takesValue = false
		}
		for _, n := range f.Names() {
			m[n] = takesValue
		}
	}
	return m
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}
