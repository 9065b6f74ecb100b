package inifile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/ini.v1"
)

const fixtures = "../../../testdata/reference/"

func TestEncodeRoundTripsReferenceFiles(t *testing.T) {
	for _, name := range []string{"two-profiles.ini", "aws-profiles.ini", "export-plain.txt"} {
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(fixtures + name)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Parse(want)
			if err != nil {
				t.Fatal(err)
			}
			if got := Encode(f); string(got) != string(want) {
				t.Errorf("round trip differs:\n%q\nwant\n%q", got, want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr bool
		check   func(*testing.T, *ini.File)
	}{
		{name: "bare keys", in: "[_config]\neditor\nactive_profile = x\n", check: func(t *testing.T, f *ini.File) {
			if !f.Section("_config").HasKey("editor") || f.Section("_config").Key("active_profile").String() != "x" {
				t.Error("bare key or value lost")
			}
		}},
		{name: "keys lower-cased", in: "[p]\nClientId = a\n", check: func(t *testing.T, f *ini.File) {
			if f.Section("p").Key("clientid").String() != "a" {
				t.Error("key not lower-cased")
			}
		}},
		{name: "section names keep case", in: "[Prod]\na = 1\n", check: func(t *testing.T, f *ini.File) {
			if !f.HasSection("Prod") || f.HasSection("prod") {
				t.Error("section case changed")
			}
		}},
		{name: "values with = and #", in: "[p]\nk = ab==#;x\n", check: func(t *testing.T, f *ini.File) {
			if got := f.Section("p").Key("k").String(); got != "ab==#;x" {
				t.Errorf("value = %q", got)
			}
		}},
		{name: "colon delimiter", in: "[p]\nk: v\n", check: func(t *testing.T, f *ini.File) {
			if f.Section("p").Key("k").String() != "v" {
				t.Error("colon delimiter not read")
			}
		}},
		{name: "empty", in: ""},
		{name: "unclosed section", in: "[_config\nk = v\n", wantErr: true},
		{name: "key before section", in: "k = v\n[p]\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v is not ErrMalformed", err)
			}
			if tt.check != nil {
				tt.check(t, f)
			}
		})
	}
}

func TestParseErrorHidesContent(t *testing.T) {
	for _, in := range []string{
		"[p]\nprivatekey = SECRETVALUE\n[p]\n",
		"SECRETVALUE = x\n[p]\n",
		"[p]\nSECRETVALUE = x\nSECRETVALUE = y\n",
		"[p]\nSECRETVALUE\n\tcontinued\n",
		"[p]\n= SECRETVALUE\n",
		"[p]\nSECRETVALUE = %(SECRETVALUE)s\n",
		"[p]\nSECRETVALUE = SECRETVALUE%\n",
		"[p SECRETVALUE]\nk = 1\n[p SECRETVALUE]\n",
		"[p]\nk = SECRETVALUE\xff\n",
	} {
		_, err := Parse([]byte(in))
		if err == nil || strings.Contains(err.Error(), "SECRETVALUE") || !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "line ") {
			t.Errorf("%q: err = %v", in, err)
		}
	}
}

func TestEncodeMovesConfigFirst(t *testing.T) {
	f, err := Parse([]byte("[p]\na = 1\n\n[_config]\nactive_profile = p\neditor\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := "[_config]\nactive_profile = p\neditor\n\n[p]\na = 1\n\n"
	if got := string(Encode(f)); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestNewMatchesKeeperDefaults(t *testing.T) {
	want := "[_config]\nactive_profile = x\ncolor = True\ncache = False\nrecord_type_dir\neditor\neditor_use_blocking = False\neditor_process_name\n\n"
	if got := string(Encode(NewWithActive("x"))); got != want {
		t.Errorf("got %q", got)
	}
}

func TestSearchPaths(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	tests := []struct {
		name string
		env  Env
		want []string
	}{
		{"defaults", Env{Getenv: env(nil), Cwd: "/w", Home: "/h", GOOS: "linux"},
			[]string{"/w/keeper.ini", "/h/keeper.ini", "/h/.config/ksm/keeper.ini", "/h/.keeper/keeper.ini", "/etc/keeper.ini", "/etc/ksm/keeper.ini", "/etc/keeper/keeper.ini"}},
		{"ini dir is the only place, custom name", Env{Getenv: env(map[string]string{"KSM_INI_DIR": "/d", "KSM_INI_FILE": "k.ini"}), Cwd: "/w", Home: "/h", GOOS: "linux"},
			[]string{"/d/k.ini"}},
		{"custom name", Env{Getenv: env(map[string]string{"KSM_INI_FILE": "k.ini"}), Cwd: "/w", Home: "/h", GOOS: "linux"},
			[]string{"/w/k.ini", "/h/k.ini", "/h/.config/ksm/k.ini", "/h/.keeper/k.ini", "/etc/k.ini", "/etc/ksm/k.ini", "/etc/keeper/k.ini"}},
		{"duplicates dropped", Env{Getenv: env(nil), Cwd: "/h", Home: "/h", GOOS: "linux"},
			[]string{"/h/keeper.ini", "/h/.config/ksm/keeper.ini", "/h/.keeper/keeper.ini", "/etc/keeper.ini", "/etc/ksm/keeper.ini", "/etc/keeper/keeper.ini"}},
		{"windows", Env{Getenv: env(map[string]string{"USERPROFILE": "/u", "APPDATA": "/a", "PROGRAMDATA": "/pd", "PROGRAMFILES": "/pf"}), Cwd: "/w", GOOS: "windows"},
			[]string{"/w/keeper.ini", "/u/keeper.ini", "/a/Keeper/keeper.ini", "/pd/Keeper/keeper.ini", "/pf/Keeper/keeper.ini"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.env.SearchPaths(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestWritePath(t *testing.T) {
	tests := []struct {
		vars map[string]string
		want string
	}{
		{nil, "/w/keeper.ini"},
		{map[string]string{"KSM_INI_DIR": "/d"}, "/d/keeper.ini"},
		{map[string]string{"KSM_INI_FILE": "x.ini"}, "/w/x.ini"},
		{map[string]string{"KSM_INI_DIR": "/d", "KSM_INI_FILE": "/abs/y.ini"}, "/abs/y.ini"},
	}
	for _, tt := range tests {
		e := Env{Getenv: func(k string) string { return tt.vars[k] }, Cwd: "/w"}
		if got := e.WritePath(); got != tt.want {
			t.Errorf("%v: got %q, want %q", tt.vars, got, tt.want)
		}
	}
}

func TestFindFirstExisting(t *testing.T) {
	dir, home := t.TempDir(), t.TempDir()
	e := Env{Getenv: func(string) string { return "" }, Cwd: dir, Home: home, GOOS: "linux"}
	if _, ok := e.Find(); ok && !fileExists("/etc/keeper.ini") {
		t.Fatal("found a file in empty dirs")
	}
	os.MkdirAll(filepath.Join(home, ".keeper"), 0o700)
	os.WriteFile(filepath.Join(home, ".keeper", "keeper.ini"), nil, 0o600)
	if p, _ := e.Find(); p != filepath.Join(home, ".keeper", "keeper.ini") {
		t.Errorf("got %q", p)
	}
	os.WriteFile(filepath.Join(dir, "keeper.ini"), nil, 0o600)
	if p, _ := e.Find(); p != filepath.Join(dir, "keeper.ini") {
		t.Errorf("cwd should win over home, got %q", p)
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func TestUpdateWritesAtomically0600(t *testing.T) {
	dir := t.TempDir()
	umask0(t)
	path := filepath.Join(dir, "keeper.ini")
	// readable by others (only the mode warning's business), written back 0600
	os.WriteFile(path, []byte("[_config]\nactive_profile = a\n"), 0o644)
	err := Update(context.Background(), path, func(f *ini.File) error {
		f.Section("b").Key("k").SetValue("v")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if mode, loose := LooseMode(path); loose || mode != Mode {
		t.Errorf("mode = %v", mode)
	}
	if st, _ := os.Stat(path + ".lock"); st.Mode().Perm() != Mode {
		t.Errorf("lock mode = %v", st.Mode().Perm())
	}
	got, _ := os.ReadFile(path)
	if string(got) != "[_config]\nactive_profile = a\n\n[b]\nk = v\n\n" {
		t.Errorf("content %q", got)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temp file left: %s", e.Name())
		}
	}
}

func TestUpdateFailureLeavesFileUntouched(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keeper.ini")
	orig := []byte("[_config]\nactive_profile = a\n")
	os.WriteFile(path, orig, 0o600)
	boom := errors.New("boom")
	err := Update(context.Background(), path, func(f *ini.File) error {
		f.Section("x").Key("k").SetValue("v")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != string(orig) {
		t.Errorf("file changed: %q", got)
	}
}

func TestUpdateFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.ini")
	link := filepath.Join(dir, "keeper.ini")
	os.WriteFile(real, []byte("[_config]\n"), 0o600)
	os.Symlink(real, link)
	if err := Update(context.Background(), link, func(f *ini.File) error {
		f.Section("p").Key("a").SetValue("1")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Lstat(link); st.Mode()&os.ModeSymlink == 0 {
		t.Error("symlink replaced by a file")
	}
	if got, _ := os.ReadFile(real); !strings.Contains(string(got), "[p]") {
		t.Errorf("target not updated: %q", got)
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.ini")
	os.WriteFile(bad, []byte("[oops\n"), 0o600)
	tests := []struct{ path, want string }{
		{filepath.Join(dir, "missing.ini"), "does not exist"},
		{dir, "is a directory"},
		{bad, "not a valid INI file"},
	}
	for _, tt := range tests {
		if _, err := Read(tt.path); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Read(%s) = %v, want %q", tt.path, err, tt.want)
		}
	}
}

func TestUpdateInMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope", "keeper.ini")
	err := Update(context.Background(), path, func(*ini.File) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "directory exists") {
		t.Fatalf("err = %v", err)
	}
}

func TestSetKeyKeepsOrderAndBareness(t *testing.T) {
	tests := []struct {
		name, key, value string
		bare             bool
		want             string
	}{
		{"bare to value", "active_profile", "p", false, "[_config]\nactive_profile = p\ncolor = True\neditor\n\n"},
		{"value to bare", "color", "", true, "[_config]\nactive_profile\ncolor\neditor\n\n"},
		{"value to value", "color", "False", false, "[_config]\nactive_profile\ncolor = False\neditor\n\n"},
		// ini.v1 gives bare keys the value "true": a real "true" is no bare key.
		{"value to true", "color", "true", false, "[_config]\nactive_profile\ncolor = true\neditor\n\n"},
		{"bare to true", "active_profile", "true", false, "[_config]\nactive_profile = true\ncolor = True\neditor\n\n"},
		{"new key", "cache", "False", false, "[_config]\nactive_profile\ncolor = True\neditor\ncache = False\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte("[_config]\nactive_profile\ncolor = True\neditor\n"))
			if err != nil {
				t.Fatal(err)
			}
			SetKey(f, ConfigSection, tt.key, tt.value, tt.bare)
			if got := string(Encode(f)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if IsBare(f, ConfigSection, tt.key) != tt.bare {
				t.Errorf("IsBare = %v", !tt.bare)
			}
		})
	}
}

// ini.v1 would let section "prod.eu" read the keys of section "prod";
// configparser has no child sections.
func TestNoChildSections(t *testing.T) {
	f, err := Parse([]byte("[prod]\nprivatekey = SECRET\n\n[prod.eu]\nhostname = EU\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := f.Section("prod.eu")
	if s.HasKey("privatekey") || s.Key("privatekey").String() != "" {
		t.Error(`section "prod.eu" reads the keys of "prod"`)
	}
}
