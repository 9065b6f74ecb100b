package secretcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/keeper"
	"github.com/ksm-cli/ksm/internal/safetext"
)

type getOptions struct {
	f    *cmdutil.Factory
	UID  string
	JSON bool
}

func newGetCommand(f *cmdutil.Factory) *cli.Command {
	opts := &getOptions{f: f}
	return &cli.Command{
		Name:      "get",
		Usage:     "Print one record's fields, secrets included",
		ArgsUsage: "UID",
		Description: `Prints the record's title, type, fields (label or type, and values), custom
fields and notes. This prints secrets (passwords, keys) to standard output:
only run it where that is what you want. Find UIDs with "ksm secret list".

Examples:
   ksm secret get XXXXXXXXXXXXXXXXXXXXXX
   ksm --profile prod secret get XXXXXXXXXXXXXXXXXXXXXX --json`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print the record as JSON", Destination: &opts.JSON},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 || strings.TrimSpace(c.Args().First()) == "" {
				return cmdutil.Usagef("secret get takes one record UID; run `ksm secret list` to see them")
			}
			opts.UID = strings.TrimSpace(c.Args().First())
			return runGet(c.Context, opts)
		},
	}
}

func runGet(ctx context.Context, opts *getOptions) error {
	secrets, err := fetch(ctx, opts.f)
	if err != nil {
		return err
	}
	var rec *keeper.Record
	for i := range secrets.Records {
		if secrets.Records[i].UID == opts.UID {
			rec = &secrets.Records[i]
			break
		}
	}
	if rec == nil {
		return fmt.Errorf("no record with UID %s is shared with this application; run `ksm secret list` to see the UIDs", safetext.Escape(opts.UID))
	}
	if opts.JSON {
		return writeJSON(opts.f.IO.Out, rec)
	}
	return writeRecord(opts.f.IO.Out, rec)
}

// writeRecord prints a record for people: a header, then tables of the
// fields and custom fields, then the notes. Everything from Keeper is
// escaped with safetext (control, bidi and format characters shown as
// \xNN or \uNNNN), so a record cannot drive the terminal or reorder what
// it shows; --json keeps the exact values, in JSON escapes.
func writeRecord(w io.Writer, r *keeper.Record) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "\n Record: %s\n Title: %s\n Record Type: %s\n", safetext.Escape(r.UID), safetext.Escape(r.Title), safetext.Escape(r.Type))
	if r.FolderUID != "" {
		fmt.Fprintf(&b, " Shared Folder: %s\n", safetext.Escape(r.FolderUID))
	}
	for _, group := range []struct {
		title  string
		fields []keeper.Field
	}{{"Field", r.Fields}, {"Custom Field", r.Custom}} {
		if len(group.fields) == 0 {
			continue
		}
		rows := [][]string{{group.title, "Value"}}
		for _, fl := range group.fields {
			name := fl.Label
			if name == "" {
				name = fl.Type
			}
			for i, line := range valueLines(fl.Value) {
				if i > 0 {
					name = ""
				}
				rows = append(rows, []string{safetext.Escape(name), line})
			}
		}
		if err := writeTable(&b, rows); err != nil {
			return err
		}
		b.Truncate(b.Len() - 1) // one blank line between sections
	}
	if r.Notes != "" {
		b.WriteString("\n Notes:\n")
		for _, line := range strings.Split(r.Notes, "\n") {
			b.WriteString(" " + safetext.Escape(line) + "\n")
		}
	}
	b.WriteString("\n")
	_, err := w.Write(b.Bytes())
	return err
}

// valueLines renders a field's values, one or more lines each: strings as
// they are, numbers and booleans as written, objects as compact JSON.
func valueLines(values []any) []string {
	var lines []string
	for _, v := range values {
		var s string
		switch v := v.(type) {
		case nil:
		case string:
			s = v
		case json.Number:
			s = v.String()
		case bool:
			s = strconv.FormatBool(v)
		default:
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(v); err != nil {
				s = fmt.Sprint(v)
			} else {
				s = strings.TrimSuffix(buf.String(), "\n")
			}
		}
		for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
			lines = append(lines, safetext.Escape(line))
		}
	}
	if len(lines) == 0 {
		lines = []string{""}
	}
	return lines
}
