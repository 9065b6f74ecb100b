package inifile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/ini.v1"
)

// Found by FuzzParse: ini.v1 quotes these on write in ways its reader
// takes differently (or rejects), so they would change on the next write.
func TestWritable(t *testing.T) {
	tests := []struct {
		what string
		fn   func(string) bool
		in   string
		want bool
	}{
		{"key", WritableKey, "clientid", true},
		{"key", WritableKey, "record_type_dir", true},
		{"key", WritableKey, `back\slash\`, true},
		{"key", WritableKey, "a`b", true},
		{"key", WritableKey, `0"`, true},
		{"key", WritableKey, "-", true},
		{"key", WritableKey, "a]", true},
		{"key", WritableKey, "", false},
		{"key", WritableKey, " ", false},
		{"key", WritableKey, "a=b", false},
		{"key", WritableKey, "a:b", false},
		{"key", WritableKey, "#a", false},
		{"key", WritableKey, ";a", false},
		{"key", WritableKey, "[a", false},
		{"key", WritableKey, "a\nb", false},
		{"key", WritableKey, " a", false},
		{"key", WritableKey, "a\u00a0", false},
		{"key", WritableKey, "a\x1c", false},
		{"key", WritableKey, "ClientId", false},
		{"key", WritableKey, "\u0130", false},
		{"key", WritableKey, "\xff", false},
		{"value", WritableValue, "", true},
		{"value", WritableValue, "MIGHAgEA+/==", true},
		{"value", WritableValue, `C:\records\`, true},
		{"value", WritableValue, `"quoted"`, true},
		{"value", WritableValue, "a = b # c ; d", true},
		{"value", WritableValue, "a`b", true},
		{"value", WritableValue, `"""a`, true},
		{"value", WritableValue, "100%", true},
		{"value", WritableValue, "%(privatekey)s", true},
		{"value", WritableValue, "a\nb", true},
		{"value", WritableValue, "a\n\nb", true},
		{"value", WritableValue, "\nb", true},
		{"value", WritableValue, "a\n[_default]\nhostname = evil.example", true},
		{"value", WritableValue, "a\tb", true},
		{"value", WritableValue, " a", false},
		{"value", WritableValue, "a ", false},
		{"value", WritableValue, "a\tb\t", false},
		{"value", WritableValue, "a\x1c", false},
		{"value", WritableValue, "a\u00a0", false},
		{"value", WritableValue, "a\n", false},
		{"value", WritableValue, "a\n b", false},
		{"value", WritableValue, "a\n#b", false},
		{"value", WritableValue, "a\n;b", false},
		{"value", WritableValue, "a\rb", false},
		{"value", WritableValue, "\xff", false},
		{"section", WritableSection, "prod", true},
		{"section", WritableSection, "a]b", false},
		{"section", WritableSection, " a", true},
		{"section", WritableSection, "", false},
		{"section", WritableSection, "DEFAULT", false},
		{"section", WritableSection, "a\rb", false},
		{"section", WritableSection, "a\nb", false},
	}
	for _, tt := range tests {
		if got := tt.fn(tt.in); got != tt.want {
			t.Errorf("%s %q: writable = %v, want %v", tt.what, tt.in, got, tt.want)
		}
	}
}

// A file holding what ksm cannot write back unchanged is left as it is,
// with an error naming the section, never the key or value.
func TestUpdateRefusesUnwritable(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		change func(*ini.File)
		want   string
	}{
		{"DEFAULT section", "[DEFAULT]\nhostname = SECRET\n\n[a]\nk = v\n",
			func(f *ini.File) { f.Section("b").Key("k").SetValue("v") }, "[DEFAULT] section"},
		{"key name starting with [", "[a]\n[SECRET = 1\n",
			func(f *ini.File) { f.Section("b").Key("k").SetValue("v") }, "section [a] has a key name"},
		{"new value with a space", "[a]\nk = v\n",
			func(f *ini.File) { f.Section("b").Key("path").SetValue(" SECRET") }, "section [b] has a value"},
		{"new value with a comment line", "[a]\nk = v\n",
			func(f *ini.File) { f.Section("b").Key("path").SetValue("x\n#SECRET") }, "section [b] has a value"},
		{"odd section name", "[a SECRET]\n[k = x\n",
			func(f *ini.File) { f.Section("c").Key("k").SetValue("v") }, "a section has a key name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keeper.ini")
			if err := os.WriteFile(path, []byte(tt.file), Mode); err != nil {
				t.Fatal(err)
			}
			err := Update(context.Background(), path, func(f *ini.File) error { tt.change(f); return nil })
			if !errors.Is(err, ErrUnwritable) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrUnwritable saying %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error %q shows a value", err)
			}
			if got, _ := os.ReadFile(path); string(got) != tt.file {
				t.Errorf("file changed: %q", got)
			}
		})
	}
}

// configparser has no backslash continuation: a Windows path ending in a
// backslash (as Keeper's CLI may write record_type_dir) is a value of its
// own, and the next line stays a key (found by FuzzParse: ini.v1 joined it).
func TestTrailingBackslashIsNotAContinuation(t *testing.T) {
	in := "[_config]\nrecord_type_dir = C:\\records\\\neditor = notepad\n\n"
	f, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	s := f.Section(ConfigSection)
	if got := s.Key("record_type_dir").String(); got != `C:\records\` {
		t.Errorf("record_type_dir = %q", got)
	}
	if got := s.Key("editor").String(); got != "notepad" {
		t.Errorf("editor = %q", got)
	}
	if err := CheckWritable(f); err != nil {
		t.Fatal(err)
	}
	if got := string(Encode(f)); got != in {
		t.Errorf("re-encoded as %q", got)
	}
}
