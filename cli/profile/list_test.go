package profile

import (
	"bytes"
	"testing"
)

func TestWriteTable(t *testing.T) {
	entries := []listEntry{{Active: true, Name: "_default"}, {Name: "a-much-longer-name"}}
	tests := []struct {
		name    string
		entries []listEntry
		color   bool
		want    string
	}{
		{"reference layout", entries[:1], false, "\n Active Profile\n ------ --------\n   *    _default\n\n"},
		{"column grows with names", entries, false,
			"\n Active Profile\n ------ ------------------\n   *    _default\n        a-much-longer-name\n\n"},
		{"empty", nil, false, "\n Active Profile\n ------ -------\n\n"},
		{"escape sequence in a hand-written name", []listEntry{{Name: "\x1b[2Jx"}}, false,
			"\n Active Profile\n ------ --------\n        \\x1b[2Jx\n\n"},
		{"a profile Keeper's CLI cannot read is marked", []listEntry{{Active: true, Name: "_default"}, {Name: "f", KsmOnly: true}}, false,
			"\n Active Profile\n ------ ------------\n   *    _default\n        f (ksm only)\n\n"},
		{"colour on a terminal", entries[:1], true,
			"\n Active Profile\n ------ --------\n \x1b[31m  *   \x1b[0m \x1b[33m_default\x1b[0m\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := writeTable(&b, tt.entries, tt.color); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("got %q\nwant %q", b.String(), tt.want)
			}
		})
	}
}

func TestCenterLikePython(t *testing.T) {
	// Python: "*".center(6) == "  *   ", "ab".center(5) == "  ab ", "abc".center(6) == " abc  "
	tests := []struct {
		s     string
		width int
		want  string
	}{{"*", 6, "  *   "}, {"ab", 5, "  ab "}, {"abc", 6, " abc  "}, {"toolong", 3, "toolong"}}
	for _, tt := range tests {
		if got := center(tt.s, tt.width); got != tt.want {
			t.Errorf("center(%q, %d) = %q, want %q", tt.s, tt.width, got, tt.want)
		}
	}
}

func TestListJSON(t *testing.T) {
	got := listJSON([]listEntry{{Active: true, Name: "_default"}, {Name: `we"ird`}})
	want := `[{"active": true, "name": "_default"}, {"active": false, "name": "we\"ird"}]`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if got := listJSON(nil); got != "[]" {
		t.Errorf("empty: %s", got)
	}
}

// Keeper's CLI's JSON for a file it can read; one key more for a profile it
// cannot.
func TestListJSONMarksKsmOnly(t *testing.T) {
	got := listJSON([]listEntry{{Active: true, Name: "_default"}, {Name: "f", KsmOnly: true}, {Name: "a\"b"}})
	want := `[{"active": true, "name": "_default"}, {"active": false, "name": "f", "ksm_only": true}, {"active": false, "name": "a\"b"}]`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestKeeperCLIReads(t *testing.T) {
	for storage, want := range map[string]bool{"": true, "internal": true, "aws": true, "file": false, "keyring": false, "vault": false, "env": false} {
		if got := keeperCLIReads(storage); got != want {
			t.Errorf("keeperCLIReads(%q) = %v, want %v", storage, got, want)
		}
	}
}
