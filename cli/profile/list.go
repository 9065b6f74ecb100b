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
	Active bool   `json:"active"`
	Name   string `json:"name"`
}

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
			entries = append(entries, listEntry{Active: n == active, Name: n})
		}
	}
	out := opts.f.IO.Out
	if opts.JSON {
		_, err := fmt.Fprintln(out, listJSON(entries))
		return err
	}
	return writeTable(out, entries, opts.f.IO.Color)
}

// listJSON prints what Keeper's CLI prints with Python's json.dumps:
// ", " and ": " separators.
func listJSON(entries []listEntry) string {
	parts := make([]string, len(entries))
	for i, e := range entries {
		name, _ := json.Marshal(e.Name)
		parts[i] = fmt.Sprintf(`{"active": %t, "name": %s}`, e.Active, name)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// writeTable prints Keeper's table: a blank line, " Active Profile", the
// dashes, one row per profile, a blank line; colour only on a terminal.
func writeTable(w io.Writer, entries []listEntry, color bool) error {
	width := len("Profile")
	for _, e := range entries {
		width = max(width, len(safetext.Escape(e.Name)))
	}
	const activeWidth = len("Active")
	var b strings.Builder
	b.WriteString("\n Active Profile\n")
	fmt.Fprintf(&b, " %s %s\n", strings.Repeat("-", activeWidth), strings.Repeat("-", width))
	for _, e := range entries {
		mark, name := " ", safetext.Escape(e.Name) // a section name of keeper.ini
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

// center pads s as Python's str.center does.
func center(s string, width int) string {
	pad := width - len(s)
	if pad <= 0 {
		return s
	}
	left := pad/2 + (pad & width & 1)
	return strings.Repeat(" ", left) + s + strings.Repeat(" ", pad-left)
}
