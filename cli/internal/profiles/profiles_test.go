package profiles

import (
	"encoding/base64"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/cli/internal/inifile"
	"github.com/ksm-cli/ksm/shared"
)

const fixtures = "../../../testdata/reference/"

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(fixtures + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestValidateName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"_default", true}, {"prod-1", true}, {"A_b-9", true}, {strings.Repeat("a", 64), true},
		{"", false}, {strings.Repeat("a", 65), false}, {"_config", false}, {"a b", false},
		{"a.b", false}, {"a/b", false}, {"é", false}, {"[x]", false},
	}
	for _, tt := range tests {
		if err := ValidateName(tt.name); (err == nil) != tt.ok {
			t.Errorf("ValidateName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

// Building the reference's two-profile file through our model gives the
// reference's bytes.
func TestBookWritesReferenceLayout(t *testing.T) {
	first, err := DecodeImport(read(t, "config1.b64"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := DecodeImport(base64.StdEncoding.EncodeToString([]byte(read(t, "export-plain-json.txt"))))
	if err != nil {
		t.Fatal(err)
	}
	book := NewBook(inifile.New())
	for _, p := range []*Profile{{Name: "_default", Config: first.Config}, {Name: "second", Config: second.Config}} {
		if err := book.Put(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := book.SetActive("_default"); err != nil {
		t.Fatal(err)
	}
	if got, want := string(inifile.Encode(book.File())), read(t, "two-profiles.ini"); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestExportMatchesReference(t *testing.T) {
	f, err := inifile.Parse([]byte(read(t, "two-profiles.ini")))
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewBook(f).Get("second")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, got, fixture string
	}{
		{"plain ini", string(ExportINI(p.Config)), "export-plain.txt"},
		{"base64 ini", EncodeExport(ExportINI(p.Config)), "export-default.txt"},
		{"plain json", string(ExportJSON(p.Config)), "export-plain-json.txt"},
	}
	for _, tt := range tests {
		if want := read(t, tt.fixture); tt.got != want {
			t.Errorf("%s:\n%q\nwant\n%q", tt.name, tt.got, want)
		}
	}
}

func TestExportJSONResolvesRegion(t *testing.T) {
	cfg := shared.Config{shared.KeyHostname: "EU", shared.KeyClientID: "c"}
	if !strings.Contains(string(ExportJSON(cfg)), `"hostname": "keepersecurity.eu"`) {
		t.Errorf("region not resolved: %s", ExportJSON(cfg))
	}
	if cfg[shared.KeyHostname] != "EU" {
		t.Error("ExportJSON changed its input")
	}
}

func TestDecodeImportForms(t *testing.T) {
	json := read(t, "config1.json")
	ini := read(t, "two-profiles.ini")
	tests := []struct {
		name         string
		in           string
		wantProfiles []string
	}{
		{"std base64 json", read(t, "config1.b64"), nil},
		{"url base64 json", base64.URLEncoding.EncodeToString([]byte(json)), nil},
		{"unpadded base64 json", base64.RawStdEncoding.EncodeToString([]byte(json)), nil},
		{"plain json", json, nil},
		{"reference export", read(t, "export-default.txt"), []string{"_default"}},
		{"base64 two-profile ini", base64.StdEncoding.EncodeToString([]byte(ini)), []string{"_default", "second"}},
		{"plain ini", ini, []string{"_default", "second"}},
		{"external profiles", read(t, "aws-profiles.ini"), []string{"awsprof", "awsnamed", "awskeys"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			imp, err := DecodeImport(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantProfiles == nil {
				if imp.Config[shared.KeyAppKey] == "" {
					t.Error("no config decoded")
				}
				return
			}
			var names []string
			for _, p := range imp.Profiles {
				names = append(names, p.Name)
			}
			if !reflect.DeepEqual(names, tt.wantProfiles) {
				t.Errorf("profiles %v, want %v", names, tt.wantProfiles)
			}
		})
	}
}

func TestDecodeImportRejects(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	full := read(t, "config1.b64")
	tests := []struct{ name, in, want string }{
		{"empty", "", "empty"},
		{"not base64", "%%%%", "not base64"},
		{"truncated base64", full[:len(full)/2+1], "not"},
		{"text", b64("hello world"), "neither SDK JSON nor a keeper.ini"},
		{"json array", b64("[1, 2]"), "invalid profile name"},
		{"json missing keys", b64(`{"clientId": "SECRETCLIENT", "hostname": "US"}`), "missing privateKey, appKey"},
		{"ini without profiles", b64("[_config]\nactive_profile = x\n"), "holds no profile"},
		{"ini profile missing keys", b64("[p]\nclientid = SECRETCLIENT\n"), "profile p in the keeper.ini to import: config is missing"},
		{"ini bad name", b64("[a b]\nstorage = file\n"), "invalid profile name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeImport(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "SECRETCLIENT") {
				t.Errorf("error leaks a value: %v", err)
			}
		})
	}
}

func TestGetInternalAndExternal(t *testing.T) {
	f, err := inifile.Parse([]byte(read(t, "aws-profiles.ini") + "[int]\nclientid = c\nprivatekey = p\nappkey = a\nhostname = US\nserverpublickey = k\n"))
	if err != nil {
		t.Fatal(err)
	}
	book := NewBook(f)
	p, err := book.Get("awskeys")
	if err != nil {
		t.Fatal(err)
	}
	want := shared.Settings{"provider": "custom", "aws_access_key_id": "AKIDEXAMPLE", "aws_secret_access_key": "SECRETEXAMPLE", "region": "us-east-1", "secret": "ksm-config"}
	if !p.External() || p.Storage != "aws" || !reflect.DeepEqual(p.Settings, want) {
		t.Errorf("got %+v", p)
	}
	p, _ = book.Get("int")
	if p.External() || p.Config[shared.KeyServerPublicKey] != "k" || p.Config[shared.KeyHostname] != "US" {
		t.Errorf("got %+v", p.Config)
	}
	if _, err := book.Get("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("err = %v", err)
	}
	if _, err := book.Get("_config"); err == nil || !strings.Contains(err.Error(), "reserved") {
		t.Errorf("_config is not a profile: %v", err)
	}
}

func TestDeleteNeverLeavesDanglingActive(t *testing.T) {
	tests := []struct {
		profiles   []string
		active     string
		del        string
		wantActive string
	}{
		{[]string{"a", "b"}, "a", "a", "b"},
		{[]string{"a", "b", "c"}, "a", "a", ""},
		{[]string{"a", "b"}, "a", "b", "a"},
		{[]string{"a"}, "a", "a", ""},
	}
	for _, tt := range tests {
		book := NewBook(inifile.New())
		for _, n := range tt.profiles {
			book.Put(&Profile{Name: n, Storage: "file", Settings: shared.Settings{"path": "/x"}})
		}
		book.SetActive(tt.active)
		got, err := book.Delete(tt.del)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.wantActive || book.Active() != tt.wantActive || book.Has(tt.del) {
			t.Errorf("%v delete %s: active %q/%q", tt.profiles, tt.del, got, book.Active())
		}
	}
}

// A bare key is None to configparser: no command may read it as a value
// (gopkg.in/ini.v1 would give "true").
func TestBareKeyIsNoValue(t *testing.T) {
	for _, tc := range []struct {
		name, section string
		check         func(t *testing.T, p *Profile, err error)
	}{
		{"config key", "[p]\nclientid = c\nhostname\n", func(t *testing.T, p *Profile, err error) {
			if err != nil {
				t.Fatal(err)
			}
			if v, ok := p.Config[shared.KeyHostname]; ok {
				t.Errorf("bare hostname read as %q", v)
			}
		}},
		{"store setting", "[p]\nstorage = file\npath\n", func(t *testing.T, p *Profile, err error) {
			if err != nil {
				t.Fatal(err)
			}
			if v, ok := p.Settings["path"]; ok {
				t.Errorf("bare path read as %q", v)
			}
		}},
		{"bare storage", "[p]\nstorage\n", func(t *testing.T, p *Profile, err error) {
			if err == nil || !strings.Contains(err.Error(), "storage has no value") {
				t.Errorf("got %+v, %v; want a refusal naming storage", p, err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := inifile.Parse([]byte(tc.section))
			if err != nil {
				t.Fatal(err)
			}
			p, err := NewBook(f).Get("p")
			tc.check(t, p, err)
		})
	}
}
