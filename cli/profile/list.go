package profile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/envtoken"
	"github.com/ksm-cli/ksm/cli/internal/keeperini"
	"github.com/ksm-cli/ksm/cli/internal/keeperkeyring"
	"github.com/ksm-cli/ksm/internal/safetext"
)

type listOptions struct {
	f    *cmdutil.Factory
	JSON bool
}

func newListCommand(f *cmdutil.Factory) *cli.Command {
	opts := &listOptions{f: f}
	return &cli.Command{
		Name:  "list",
		Usage: "List the profiles and mark the active one",
		Description: `Examples:
   ksm profile list
   ksm profile list --json`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print JSON: [{\"active\": true, \"name\": \"_default\"}, ...]", Destination: &opts.JSON},
		},
		Action: func(c *cli.Context) error { return runList(c.Context, opts) },
	}
}

type listEntry struct {
	Active bool
	Name   string
	// KsmOnly: a storage Keeper's CLI 1.4 cannot read (keeperCLIReads).
	KsmOnly bool
}

// ksmOnlyMark follows, in the table, the name of a profile Keeper's CLI
// cannot read; a file without such profiles lists exactly as in Keeper's.
const ksmOnlyMark = " (ksm only)"

func runList(ctx context.Context, opts *listOptions) error {
	var entries []listEntry
	if err := envtoken.Redeem(ctx, opts.f); err != nil {
		return err
	}
	src, err := opts.f.Ini().Read()
	switch {
	case errors.Is(err, keeperini.ErrNoIni):
		fmt.Fprintln(opts.f.IO.ErrOut, "No keeper.ini found; add a profile with `ksm profile init` or `ksm profile import`.")
		if hint := keeperkeyring.Hint(opts.f.PluginHost(), opts.f.Timeout, opts.f.Log); hint != "" {
			fmt.Fprintln(opts.f.IO.ErrOut, hint+".")
		}
	case err != nil:
		return err
	default:
		active := src.Book.Active()
		for _, n := range src.Book.Names() {
			e := listEntry{Active: n == active, Name: n}
			if p, err := src.Book.Get(n); err == nil {
				e.KsmOnly = !keeperCLIReads(p.Storage)
			}
			entries = append(entries, e)
		}
	}
	out := opts.f.IO.Out
	if opts.JSON {
		// No newline after it: Keeper's CLI writes none (recorded in
		// cli/e2e/testdata/keepercli).
		_, err := fmt.Fprint(out, listJSON(entries))
		return err
	}
	if err := writeTable(out, entries, opts.f.IO.Color); err != nil {
		return err
	}
	for _, e := range entries {
		if e.KsmOnly {
			fmt.Fprintf(opts.f.IO.ErrOut, "Profiles marked%s keep their config in a store Keeper's CLI 1.4 cannot read: it refuses every command on %s (keep them in another file with --ini-file or KSM_INI_DIR).\n", ksmOnlyMark, safetext.Escape(src.Path))
			break
		}
	}
	return nil
}

// listJSON prints what Keeper's CLI prints with Python's json.dumps:
// ", " and ": " separators; a profile Keeper's CLI cannot read has a
// "ksm_only": true key more.
func listJSON(entries []listEntry) string {
	parts := make([]string, len(entries))
	for i, e := range entries {
		name, _ := json.Marshal(e.Name)
		parts[i] = fmt.Sprintf(`{"active": %t, "name": %s}`, e.Active, name)
		if e.KsmOnly {
			parts[i] = strings.TrimSuffix(parts[i], "}") + `, "ksm_only": true}`
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// writeTable prints Keeper's table: a blank line, " Active Profile", the
// dashes, one row per profile, a blank line; colour only on a terminal.
func writeTable(w io.Writer, entries []listEntry, color bool) error {
	width := len("Profile")
	for _, e := range entries {
		width = max(width, len(tableName(e)))
	}
	const activeWidth = len("Active")
	var b strings.Builder
	b.WriteString("\n Active Profile\n")
	fmt.Fprintf(&b, " %s %s\n", strings.Repeat("-", activeWidth), strings.Repeat("-", width))
	for _, e := range entries {
		mark, name := " ", tableName(e)
		if e.Active {
			mark = "*"
		}
		mark = center(mark, activeWidth)
		if color {
			mark, name = "\x1b[31m"+mark+"\x1b[0m", "\x1b[33m"+name+"\x1b[0m"
		}
		b.WriteString(strings.TrimRight(" "+mark+" "+name, " ") + "\n")
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// tableName is a profile's name as the table shows it: escaped (a section
// name of keeper.ini), marked if Keeper's CLI cannot read it.
func tableName(e listEntry) string {
	if e.KsmOnly {
		return safetext.Escape(e.Name) + ksmOnlyMark
	}
	return safetext.Escape(e.Name)
}

// center pads s as Python's str.center does.
func center(s string, width int) string {
	pad := width - len(s)
	if pad <= 0 {
		return s
	}
	left := pad/2 + (pad & width & 1)
	return strings.Repeat(" ", left) + s + strings.Repeat(" ", pad-left)
}
