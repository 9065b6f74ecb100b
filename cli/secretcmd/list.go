package secretcmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/keeper"
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
		Usage: "List the records shared with the profile's application (UID, type, title)",
		Description: `Uses the profile given by --profile (or $KSM_CLI_PROFILE), else the active one,
wherever its config lives. Prints no secret: only UIDs, record types and titles.

Examples:
   ksm secret list
   ksm --profile prod secret list --json`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: `print JSON: [{"uid": ..., "type": ..., "title": ...}, ...]`, Destination: &opts.JSON},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return cmdutil.Usagef("secret list takes no arguments; use --profile NAME to choose a profile")
			}
			return runList(c.Context, opts)
		},
	}
}

type listEntry struct {
	UID   string `json:"uid"`
	Type  string `json:"type"`
	Title string `json:"title"`
}

func runList(ctx context.Context, opts *listOptions) error {
	secrets, err := fetch(ctx, opts.f)
	if err != nil {
		return err
	}
	entries := listEntries(secrets.Records)
	out := opts.f.IO.Out
	if opts.JSON {
		return writeJSON(out, entries)
	}
	if len(entries) == 0 {
		fmt.Fprintln(opts.f.IO.ErrOut, "No records are shared with this application.")
		return nil
	}
	return writeListTable(out, entries)
}

// listEntries lists each record once: a record shared both directly and
// through a folder comes back twice.
func listEntries(records []keeper.Record) []listEntry {
	entries := []listEntry{}
	seen := map[string]bool{}
	for _, r := range records {
		if seen[r.UID] {
			continue
		}
		seen[r.UID] = true
		entries = append(entries, listEntry{UID: r.UID, Type: r.Type, Title: r.Title})
	}
	return entries
}

// writeListTable prints Keeper's style of table: a header, dashes as wide
// as each column, one row per record, framed by blank lines.
func writeListTable(w io.Writer, entries []listEntry) error {
	rows := [][]string{{"UID", "Record Type", "Title"}}
	for _, e := range entries {
		rows = append(rows, []string{safetext.Escape(e.UID), safetext.Escape(e.Type), safetext.Escape(e.Title)})
	}
	return writeTable(w, rows)
}

// writeTable aligns rows[0] (the header) and the rest in columns two
// spaces apart, with a dash line under the header.
func writeTable(w io.Writer, rows [][]string) error {
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	dashes := make([]string, len(widths))
	for i, n := range widths {
		dashes[i] = strings.Repeat("-", n)
	}
	rows = append([][]string{rows[0], dashes}, rows[1:]...)
	var b strings.Builder
	b.WriteString("\n")
	for _, r := range rows {
		line := strings.Builder{}
		line.WriteString(" ")
		for i, c := range r {
			line.WriteString(c)
			if i < len(r)-1 {
				line.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// writeJSON prints v as indented JSON in which the characters safetext
// escapes (C1, bidi, format characters) are \u escapes: the same values,
// nothing that acts on a terminal.
func writeJSON(w io.Writer, v any) error {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := io.WriteString(w, safetext.JSON(b.String()))
	return err
}
