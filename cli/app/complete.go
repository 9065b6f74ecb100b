package app

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/inifile"
	"github.com/ksm-cli/ksm/cli/internal/profiles"
	"github.com/ksm-cli/ksm/internal/setupflags"
)

// completeCommand is the hidden entry point of the completion scripts:
// `ksm __complete WORD... CURRENT` prints the candidates for CURRENT, one a
// line. It is ours rather than urfave/cli's --generate-bash-completion,
// which cannot complete a flag's value and which normalizeArgs (flags after
// arguments) would have to special-case.
const completeCommand = "__complete"

// fileCandidates asks the shell to complete file names itself.
const fileCandidates = ":file"

// What a value or an argument is completed with.
type valueKind int

const (
	noValues valueKind = iota
	profileNames
	storeTypes
	files
	shells
	logLevels
)

// flagValues: the flags whose values ksm can name, by flag name.
var flagValues = map[string]valueKind{
	"profile":      profileNames,
	"profile-name": profileNames,
	"p":            profileNames,
	"from-profile": profileNames,
	"type":         storeTypes,
	"t":            storeTypes,
	"storage":      storeTypes,
	"ini-file":     files,
	"output":       files,
	"o":            files,
	"output-file":  files,
	"f":            files,
	"directory":    files,
	"d":            files,
	"log-level":    logLevels,
}

// argValues: the commands whose first argument ksm can name, by path.
var argValues = map[string]valueKind{
	"profile active": profileNames,
	"profile export": profileNames,
	"profile show":   profileNames,
	"profile delete": profileNames,
	"plugin trust":   storeTypes,
	"plugin remove":  storeTypes,
	"plugin install": files,
	"completion":     shells,
}

// complete returns the candidates for the last of words (the words after
// "ksm"; the last is the one being completed, possibly empty).
func complete(app *cli.App, f *cmdutil.Factory, words []string) []string {
	words, bashValue := joinEquals(words)
	if len(words) == 0 {
		words = []string{""}
	}
	cur := words[len(words)-1]
	before := words[:len(words)-1]

	var leaf *cli.Command
	var path []string
	subcommands := app.Commands
	positional := 0
	valueOf := "" // the flag whose value cur is
	dashDash := false
	for i := 0; i < len(before); i++ {
		w := before[i]
		switch {
		case dashDash:
			positional++
		case w == "--":
			dashDash = true
		case isFlag(w):
			name := flagName(w)
			if name == "ini-file" && !strings.Contains(w, "=") && i+1 < len(before) {
				f.IniFile = before[i+1]
			} else if v, ok := strings.CutPrefix(w, "--ini-file="); ok {
				f.IniFile = v
			}
			if strings.Contains(w, "=") || !takesValue(app, leaf, name) {
				continue
			}
			if i+1 == len(before) {
				valueOf = name
			}
			i++ // its value
		default:
			if c := findCommand(subcommands, w); c != nil && positional == 0 {
				leaf, subcommands = c, c.Subcommands
				path = append(path, c.Name)
				continue
			}
			positional++
		}
	}
	if bashValue != "" {
		valueOf = bashValue
	}

	prefix := ""
	var candidates []string
	switch {
	case valueOf != "":
		candidates = values(f, flagValues[valueOf])
	case !dashDash && strings.HasPrefix(cur, "--") && strings.Contains(cur, "="):
		name, _, _ := strings.Cut(strings.TrimLeft(cur, "-"), "=")
		prefix = cur[:strings.Index(cur, "=")+1]
		candidates = values(f, flagValues[name])
		cur = cur[len(prefix):]
	case !dashDash && strings.HasPrefix(cur, "-"):
		candidates = append(flagNames(app, leaf), storeOptionFlags(f, path, before)...)
	case len(subcommands) > 0 && positional == 0:
		for _, c := range subcommands {
			if !c.Hidden {
				candidates = append(candidates, c.Name)
			}
		}
	case positional == 0:
		candidates = values(f, argValues[strings.Join(path, " ")])
	}
	if len(candidates) == 1 && candidates[0] == fileCandidates {
		return candidates
	}
	var out []string
	for _, c := range candidates {
		if strings.HasPrefix(c, cur) {
			out = append(out, prefix+c)
		}
	}
	return out
}

// joinEquals undoes bash's word splitting at "=" (COMP_WORDBREAKS):
// "--type", "=", "fi" becomes "--type=fi". When the word being completed
// is the value after "=", bash completes that value alone: the flag is
// returned and the last word is the bare value.
func joinEquals(words []string) ([]string, string) {
	n := len(words)
	if n >= 2 && words[n-1] == "=" && isFlag(words[n-2]) {
		return append(slices.Clone(words[:n-2]), ""), flagName(words[n-2])
	}
	if n >= 3 && words[n-2] == "=" && isFlag(words[n-3]) {
		return append(slices.Clone(words[:n-3]), words[n-1]), flagName(words[n-3])
	}
	var out []string
	for i := 0; i < len(words); i++ {
		if words[i] == "=" && len(out) > 0 && isFlag(out[len(out)-1]) && i+1 < len(words) {
			out[len(out)-1] += "=" + words[i+1]
			i++
			continue
		}
		out = append(out, words[i])
	}
	return out, ""
}

// commandFlags are the flags a command accepts: its own and the global ones.
func commandFlags(app *cli.App, leaf *cli.Command) []cli.Flag {
	flags := slices.Clone(app.Flags)
	if leaf != nil {
		flags = append(flags, leaf.Flags...)
	}
	return flags
}

func takesValue(app *cli.App, leaf *cli.Command, name string) bool {
	return flagArity(commandFlags(app, leaf))[name]
}

func flagNames(app *cli.App, leaf *cli.Command) []string {
	names := []string{"--help"}
	for _, fl := range commandFlags(app, leaf) {
		if v, ok := fl.(cli.VisibleFlag); ok && !v.IsVisible() {
			continue
		}
		global := slices.Contains(app.Flags, fl)
		for _, n := range fl.Names() {
			if global && leaf != nil && setupflags.Short(n) {
				continue // read only before the command (normalizeArgs)
			}
			if setupflags.Short(n) { // -p, -nc, as Keeper's CLI spells them
				names = append(names, "-"+n)
			} else {
				names = append(names, "--"+n)
			}
		}
	}
	sort.Strings(names)
	return slices.Compact(names)
}

// storeOptionFlags are the options of the store `profile setup --type=T`
// names, from a trusted plugin's description (cached by the trust file, so
// usually without starting it); nothing when it is not trusted.
func storeOptionFlags(f *cmdutil.Factory, path, before []string) []string {
	if strings.Join(path, " ") != "profile setup" {
		return nil
	}
	typ := ""
	for i, w := range before {
		if v, ok := strings.CutPrefix(w, "--type="); ok {
			typ = v
		} else if (w == "--type" || w == "-t") && i+1 < len(before) {
			typ = before[i+1]
		}
	}
	if typ == "" {
		return nil
	}
	h := f.PluginHost()
	p, err := h.Find(typ)
	if err != nil {
		return nil
	}
	if _, _, err := h.Status(p); err != nil {
		return nil // not trusted (or refused): never run for a TAB
	}
	ctx, cancel := context.WithTimeout(context.Background(), completionTimeout)
	defer cancel()
	desc, err := h.Description(ctx, p)
	if err != nil {
		return nil
	}
	var flags []string
	for _, o := range desc.Options {
		flags = append(flags, "--"+o.Name)
	}
	return flags
}

// completionTimeout bounds a plugin started to complete its options: a
// TAB must not hang.
const completionTimeout = 3 * time.Second

func values(f *cmdutil.Factory, kind valueKind) []string {
	switch kind {
	case profileNames:
		path, ok := f.Ini().ReadPath()
		if !ok {
			return nil
		}
		file, err := inifile.Read(path)
		if err != nil {
			return nil
		}
		// Only valid names: a hand-edited section name could hold an
		// escape sequence, and the shell prints candidates as they are.
		var names []string
		for _, n := range profiles.NewBook(file).Names() {
			if profiles.ValidateName(n) == nil {
				names = append(names, n)
			}
		}
		return names
	case storeTypes:
		var types []string
		for _, p := range f.PluginHost().Discover() {
			if p.ShadowedBy == "" {
				types = append(types, p.Type)
			}
		}
		return types
	case files:
		return []string{fileCandidates}
	case shells:
		return []string{"bash", "fish", "zsh"}
	case logLevels:
		return []string{"DEBUG", "INFO", "WARNING", "ERROR"}
	}
	return nil
}

// runComplete prints the candidates; completion never fails loudly.
func runComplete(app *cli.App, f *cmdutil.Factory, words []string) int {
	f.Plugins.StartTimeout = completionTimeout
	for _, c := range complete(app, f, words) {
		fmt.Fprintln(f.IO.Out, c)
	}
	return ExitOK
}
