package profiles

import (
	"encoding/base64"
	"maps"
	"os"
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/cli/internal/inifile"
	"github.com/ksm-cli/ksm/shared"
)

// fuzzMarker stands for a secret in the seeds (in values, JSON keys and
// section names, plain and base64): no error may ever show it.
const fuzzMarker = "S3CR3T+MARK/"

// FuzzDecodeImport checks the import decoder: no panic; a rejection is one
// clear error that quotes neither the input nor anything decoded from it;
// and what it accepts is stored in keeper.ini, read back and exported and
// imported again without a change. Seeds: testdata/fuzz/FuzzDecodeImport,
// and the reference outputs of Keeper's CLI below.
func FuzzDecodeImport(f *testing.F) {
	for _, name := range []string{"config1.b64", "config1.json", "export-default.txt", "export-plain.txt", "two-profiles.ini", "aws-profiles.ini"} {
		b, err := os.ReadFile(fixtures + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
		f.Add(base64.RawURLEncoding.EncodeToString(b))
	}
	f.Fuzz(func(t *testing.T, s string) {
		imp, err := DecodeImport(s)
		if err != nil {
			checkImportError(t, s, err)
			return
		}
		if imp.Profiles == nil {
			if err := imp.Config.Validate(); err != nil {
				t.Fatalf("accepted an unusable config: %v", err)
			}
			checkStored(t, &Profile{Name: DefaultName, Config: imp.Config})
			return
		}
		for _, p := range imp.Profiles {
			if err := ValidateName(p.Name); err != nil {
				t.Fatalf("accepted profile name %q: %v", p.Name, err)
			}
			if !p.External() {
				if err := p.Config.Validate(); err != nil {
					t.Fatalf("accepted profile %s: %v", p.Name, err)
				}
			}
			checkStored(t, p)
		}
	})
}

func checkImportError(t *testing.T, in string, err error) {
	t.Helper()
	msg := err.Error()
	if msg == "" || strings.ToLower(msg[:1]) != msg[:1] || strings.Contains(msg, "\n") {
		t.Fatalf("error %q is empty, multi-line or starts upper-case", msg)
	}
	if strings.Contains(in, fuzzMarker) || strings.Contains(in, base64.StdEncoding.EncodeToString([]byte(fuzzMarker))[:12]) {
		if strings.Contains(msg, fuzzMarker) {
			t.Fatalf("error %q quotes the input", msg)
		}
	}
	if trimmed := strings.TrimSpace(in); len(trimmed) >= 12 && strings.Contains(msg, trimmed) {
		t.Fatalf("error %q quotes the input", msg)
	}
}

// checkStored puts p in a new keeper.ini, which must be writable as it is,
// reads it back, and exports it (an internal profile) and imports that:
// each step must give p again.
func checkStored(t *testing.T, p *Profile) {
	t.Helper()
	want := normal(p)
	f := inifile.New()
	if err := NewBook(f).Put(p); err != nil {
		t.Fatalf("accepted profile %s cannot be stored: %v", p.Name, err)
	}
	if err := inifile.CheckWritable(f); err != nil {
		t.Fatalf("accepted profile %s cannot be written: %v", p.Name, err)
	}
	enc := inifile.Encode(f)
	back, err := inifile.Parse(enc)
	if err != nil {
		t.Fatalf("stored profile %s does not parse: %v\n%q", p.Name, err, enc)
	}
	got, err := NewBook(back).Get(p.Name)
	if err != nil {
		t.Fatalf("stored profile %s is gone: %v\n%q", p.Name, err, enc)
	}
	if g := normal(got); !equalProfiles(g, want) {
		t.Fatalf("profile changed when stored:\n got %#v\nwant %#v\n%q", g, want, enc)
	}
	if p.External() {
		return
	}
	again, err := DecodeImport(EncodeExport(ExportINI(p.Config)))
	if err != nil {
		t.Fatalf("export of profile %s does not import: %v", p.Name, err)
	}
	if len(again.Profiles) != 1 {
		t.Fatalf("export of profile %s imports as %d profiles", p.Name, len(again.Profiles))
	}
	reimported := normal(again.Profiles[0])
	reimported.Name = want.Name
	if !equalProfiles(reimported, want) {
		t.Fatalf("profile changed by export and import:\n got %#v\nwant %#v", reimported, want)
	}
}

// normal is p as keeper.ini can hold it: keys it does not know are
// lower-cased (configparser's rule) and empty values are not kept.
func normal(p *Profile) *Profile {
	out := &Profile{Name: p.Name, Storage: p.Storage}
	if p.Settings != nil {
		out.Settings = maps.Clone(p.Settings)
	}
	if p.Config != nil {
		out.Config = shared.Config{}
		known := map[string]bool{}
		for _, k := range iniKeys {
			known[k.sdk] = true
		}
		for k, v := range p.Config {
			if !known[k] {
				k = strings.ToLower(k)
			}
			if v != "" {
				out.Config[k] = v
			}
		}
	}
	return out
}

func equalProfiles(a, b *Profile) bool {
	return a.Name == b.Name && a.Storage == b.Storage &&
		maps.Equal(a.Settings, b.Settings) && maps.Equal(a.Config, b.Config)
}

// Found by FuzzDecodeImport: each was accepted and then changed when
// stored (or quoted the input in its error); now each is one clear error.
func TestDecodeImportFuzzFindings(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	const keys = `"privateKey":"b","appKey":"c","hostname":"US"`
	tests := []struct{ name, in, want string }{
		{"keys differing in case", `{"clientId":"a","clientid":"S3CR3T",` + keys + `}`, "config has the key clientId twice, in different case"},
		{"unknown keys differing in case", `{"clientId":"a","Extra":"S3CR3T","extra":"x",` + keys + `}`, "two keys that differ only in case; keeper.ini keeps one"},
		{"value with spaces", `{"clientId":" S3CR3T ",` + keys + `}`, "has a value for clientId that keeper.ini cannot hold exactly"},
		{"value with a carriage return", `{"clientId":"a\rS3CR3T",` + keys + `}`, "has a value for clientId that keeper.ini cannot hold exactly"},
		{"unknown value with a comment line", `{"clientId":"a","x":"a\n#S3CR3T",` + keys + `}`, "has a value that keeper.ini cannot hold exactly"},
		{"storage key", `{"clientId":"a","Storage":"S3CR3T",` + keys + `}`, "has a key named storage"},
		{"unknown key name with '='", `{"clientId":"a","S3CR3T=":"x",` + keys + `}`, "has a key name that keeper.ini cannot hold exactly"},
		{"non-string under an unknown key", `{"S3CR3T":[1],` + keys + `}`, "non-string value under a key that is not an SDK key"},
		{"json array", `["S3CR3T"]`, "invalid profile name in its profile section 1"},
		{"bad section name", b64("[ok]\nstorage = file\n\n[S3CR3T+x]\nstorage = file\n"), "invalid profile name in its profile section 2"},
		{"ini value referring to another key", "[p]\nclientid = %(S3CR3T)s\nprivatekey = b\nappkey = c\nhostname = US\n", "line 2 (clientid in [p]) refers to another key"},
		{"ini setting with a lone percent", "[f]\nstorage = file\npath = S3CR3T%\n", "line 3 (path in [f]) has a '%'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeImport(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "S3CR3T") {
				t.Errorf("error %q quotes the input", err)
			}
		})
	}
}
