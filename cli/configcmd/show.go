package configcmd

import (
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
	"gopkg.in/ini.v1"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/inifile"
	"github.com/ksm-cli/ksm/cli/internal/keeperini"
	"github.com/ksm-cli/ksm/internal/safetext"
)

func newShowCommand(f *cmdutil.Factory) *cli.Command {
	return &cli.Command{
		Name:  "show",
		Usage: "Show the settings in [_config], as Keeper's CLI does",
		Description: `Prints Keeper's CLI's table of the settings. Without a keeper.ini it
shows Keeper's defaults.

Example:
   ksm config show`,
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return cmdutil.Usagef("config show takes no arguments, got %q", c.Args().First())
			}
			file := inifile.New()
			src, err := f.Ini().Read()
			switch {
			case errors.Is(err, keeperini.ErrNoIni):
			case err != nil:
				return err
			default:
				file = src.Book.File()
			}
			_, err = fmt.Fprint(f.IO.Out, showTable(file, f.IO.Color))
			return err
		},
	}
}

// notSet is what Keeper's CLI shows for a setting without a value.
const notSet = "-NOT SET-"

// showTable is Keeper's CLI's `config show` table: its Table class with two
// columns, the values (which may wrap) in the second.
func showTable(file *ini.File, color bool) string {
	get := func(key string) string {
		if !file.HasSection(inifile.ConfigSection) || !file.Section(inifile.ConfigSection).HasKey(key) || inifile.IsBare(file, inifile.ConfigSection, key) {
			return notSet
		}
		// Text from keeper.ini reaches the terminal escaped.
		return safetext.Escape(file.Section(inifile.ConfigSection).Key(key).Value())
	}
	rows := [][2]string{
		{"Active Profile", get(keyActive)},
		{"Cache Enabled", get(keyCache)},
		{"Color Enabled", get(keyColor)},
		{"Record Type Directory", get(keyRecordTypeDir)},
		{"Editor", get(keyEditor) + " (" + get(keyEditorProcess) + ")"},
		{"Editor Blocking", get(keyEditorBlocks)},
	}
	return table([2]string{"Config Item", "Value"}, rows, [2]string{"\x1b[32m", "\x1b[33m"}, color)
}

// terminalWidth is the width Keeper's Table assumes without a terminal on
// standard input (80, less one "to be safe").
const terminalWidth = 79

// table renders Keeper's CLI's Table (keeper_secrets_manager_cli/table.py)
// for two left-aligned columns, the second allowed to wrap: a one-space
// indent, each column as wide as its widest cell (plus one space before
// the next column), dashes under the titles, trailing spaces trimmed from
// the last column, and with colour each cell between its colour and a
// reset.
func table(titles [2]string, rows [][2]string, colors [2]string, color bool) string {
	const indent, spacer = " ", " "
	w0 := len(titles[0])
	w1 := len(titles[1])
	for _, r := range rows {
		w0 = max(w0, len(r[0])+len(spacer))
		w1 = max(w1, len(r[1]))
	}
	if total := len(indent) + w0 + len(spacer) + w1; total > terminalWidth && total/3 <= terminalWidth {
		w1 = terminalWidth - (len(indent) + w0 + len(spacer))
	}
	var b strings.Builder
	b.WriteString(indent + pad(titles[0], w0) + spacer + strings.TrimRight(pad(titles[1], w1), " ") + "\n")
	lineWidth := min(w1, terminalWidth-(w0+len(spacer)))
	b.WriteString(indent + strings.Repeat("-", w0) + spacer + strings.Repeat("-", lineWidth) + "\n")
	for _, r := range rows {
		left, right := wrap(r[0], w0), wrap(r[1], w1)
		for i := 0; i < max(len(left), len(right)); i++ {
			l, rt := strings.Repeat(" ", w0), ""
			if i < len(left) {
				l = pad(left[i], w0)
			}
			if i < len(right) {
				rt = strings.TrimRight(pad(right[i], w1), " ")
			} else {
				rt = strings.Repeat(" ", w1)
			}
			l += spacer
			if color {
				l, rt = colors[0]+l+"\x1b[0m", colors[1]+rt+"\x1b[0m"
			}
			b.WriteString(indent + l + rt + "\n")
		}
	}
	return b.String()
}

func pad(s string, width int) string {
	if len(s) >= width {
		return s
	}
	return s + strings.Repeat(" ", width-len(s))
}

// wrap is Python's textwrap.wrap(s, width) for the texts shown here: words
// joined by single spaces up to width, a longer word cut.
func wrap(s string, width int) []string {
	if len(s) <= width {
		if strings.TrimSpace(s) == "" {
			return nil
		}
		return []string{s}
	}
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		for len(word) > width {
			if line != "" {
				lines, line = append(lines, line), ""
			}
			lines, word = append(lines, word[:width]), word[width:]
		}
		switch {
		case line == "":
			line = word
		case len(line)+1+len(word) <= width:
			line += " " + word
		default:
			lines, line = append(lines, line), word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
