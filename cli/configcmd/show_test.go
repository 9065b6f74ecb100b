package configcmd

import (
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/cli/internal/inifile"
)

// The wanted tables are what Keeper's CLI's Table (table.py, 1.4.0) prints
// for the same rows without a terminal.
func TestShowTable(t *testing.T) {
	long := "/a/record/type/directory/" + strings.Repeat("x", 60)
	tests := []struct {
		name  string
		ini   string
		color bool
		want  string
	}{
		{"Keeper's defaults", "", false, "" +
			" Config Item            Value\n" +
			" ---------------------- ---------------------\n" +
			" Active Profile         -NOT SET-\n" +
			" Cache Enabled          False\n" +
			" Color Enabled          True\n" +
			" Record Type Directory  -NOT SET-\n" +
			" Editor                 -NOT SET- (-NOT SET-)\n" +
			" Editor Blocking        False\n"},
		{"set values, coloured", "[_config]\nactive_profile = p\ncolor = False\ncache = False\nrecord_type_dir = /r\neditor = vim\neditor_use_blocking = True\neditor_process_name = vi\n", true, "" +
			" Config Item            Value\n" +
			" ---------------------- --------\n" +
			" \x1b[32mActive Profile         \x1b[0m\x1b[33mp\x1b[0m\n" +
			" \x1b[32mCache Enabled          \x1b[0m\x1b[33mFalse\x1b[0m\n" +
			" \x1b[32mColor Enabled          \x1b[0m\x1b[33mFalse\x1b[0m\n" +
			" \x1b[32mRecord Type Directory  \x1b[0m\x1b[33m/r\x1b[0m\n" +
			" \x1b[32mEditor                 \x1b[0m\x1b[33mvim (vi)\x1b[0m\n" +
			" \x1b[32mEditor Blocking        \x1b[0m\x1b[33mTrue\x1b[0m\n"},
		{"a long value wraps at 79 columns", "[_config]\nrecord_type_dir = " + long + "\n", false, "" +
			" Config Item            Value\n" +
			" ---------------------- -------------------------------------------------------\n" +
			" Active Profile         -NOT SET-\n" +
			" Cache Enabled          -NOT SET-\n" +
			" Color Enabled          -NOT SET-\n" +
			" Record Type Directory  " + long[:55] + "\n" +
			"                        " + long[55:] + "\n" +
			" Editor                 -NOT SET- (-NOT SET-)\n" +
			" Editor Blocking        -NOT SET-\n"},
		{"an escape sequence from keeper.ini is shown escaped", "[_config]\neditor = \x1b[2J\n", false, "" +
			" Config Item            Value\n" +
			" ---------------------- -------------------\n" +
			" Active Profile         -NOT SET-\n" +
			" Cache Enabled          -NOT SET-\n" +
			" Color Enabled          -NOT SET-\n" +
			" Record Type Directory  -NOT SET-\n" +
			" Editor                 \\x1b[2J (-NOT SET-)\n" +
			" Editor Blocking        -NOT SET-\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := inifile.New()
			if tt.ini != "" {
				var err error
				if file, err = inifile.Parse([]byte(tt.ini)); err != nil {
					t.Fatal(err)
				}
			}
			if got := showTable(file, tt.color); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// Python's textwrap.wrap(s, width) on the texts config show wraps.
func TestWrapLikePython(t *testing.T) {
	tests := []struct {
		s     string
		width int
		want  []string
	}{
		{"short", 10, []string{"short"}},
		{"", 10, nil},
		{"vim (-NOT SET-)", 8, []string{"vim", "(-NOT", "SET-)"}},
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"ab cdefghij", 4, []string{"ab", "cdef", "ghij"}},
	}
	for _, tt := range tests {
		if got := wrap(tt.s, tt.width); strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("wrap(%q, %d) = %q, want %q", tt.s, tt.width, got, tt.want)
		}
	}
}
