package shared

import (
	"encoding/base64"
	"os"
	"reflect"
	"strings"
	"testing"
)

// fixtures are copies of ../shared/fixtures/reference (outputs of Keeper's CLI).
const fixtures = "../testdata/reference/"

func TestParseConfigForms(t *testing.T) {
	raw, err := os.ReadFile(fixtures + "config1.json")
	if err != nil {
		t.Fatal(err)
	}
	b64, _ := os.ReadFile(fixtures + "config1.b64")
	tests := []struct {
		name string
		in   string
	}{
		{"json", string(raw)},
		{"std base64", string(b64)},
		{"url base64", base64.URLEncoding.EncodeToString(raw)},
		{"raw url base64", base64.RawURLEncoding.EncodeToString(raw)},
		{"wrapped base64", wrap(string(b64), 60)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ParseConfig([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if cfg[KeyHostname] != "keepersecurity.com" || cfg[KeyServerPublicKeyID] != "10" || len(cfg[KeyClientID]) != 88 {
				t.Errorf("unexpected config: host=%q id=%q", cfg[KeyHostname], cfg[KeyServerPublicKeyID])
			}
		})
	}
}

func TestParseConfigRejects(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "  ", "config is empty"},
		{"garbage", "!!!not base64!!!", "neither JSON nor base64"},
		{"base64 of text", base64.StdEncoding.EncodeToString([]byte("hello")), "not a JSON object"},
		{"json array", "[1,2]", "not a JSON object"},
		{"missing keys", `{"clientId":"abc","hostname":"US"}`, "missing privateKey, appKey"},
		{"non-string", `{"clientId":{"a":1}}`, `"clientId" must be a string`},
		// An unknown key is not quoted: it may be key material (found by FuzzDecodeImport).
		{"non-string unknown key", `{"MIGHAgEAMBMGSECRET":[1]}`, "non-string value under a key that is not an SDK key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want error containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error %q quotes the input", err)
			}
		})
	}
}

func TestParseConfigDefaultsServerKeyID(t *testing.T) {
	cfg, err := ParseConfig([]byte(`{"clientId":"a","privateKey":"b","appKey":"c","hostname":"EU","serverPublicKeyId":7}`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg[KeyServerPublicKeyID] != "7" {
		t.Errorf("numeric id: got %q", cfg[KeyServerPublicKeyID])
	}
	cfg, _ = ParseConfig([]byte(`{"clientId":"a","privateKey":"b","appKey":"c","hostname":"EU"}`))
	if cfg[KeyServerPublicKeyID] != DefaultServerPublicKeyID {
		t.Errorf("default id: got %q", cfg[KeyServerPublicKeyID])
	}
}

func TestMarshalConfigMatchesReference(t *testing.T) {
	want, err := os.ReadFile(fixtures + "export-plain-json.txt")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseConfig(want)
	if err != nil {
		t.Fatal(err)
	}
	if got := MarshalConfig(cfg); string(got) != string(want) {
		t.Errorf("MarshalConfig:\n%s\nwant:\n%s", got, want)
	}
}

func TestMarshalConfigExtraKeysAndEscaping(t *testing.T) {
	got := string(MarshalConfig(Config{KeyHostname: "a<b>&c", "zeta": "1", "alpha": "2"}))
	want := "{\n    \"hostname\": \"a<b>&c\",\n    \"alpha\": \"2\",\n    \"zeta\": \"1\"\n}"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func wrap(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n] + "\n")
		s = s[n:]
	}
	return b.String() + s
}

func TestParseConfigKeyCase(t *testing.T) {
	cfg, err := ParseConfig([]byte(`{"CLIENTID":"a","privatekey":"b","appKey":"c","hostName":"EU","appoWnerPublicKey":"d"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{KeyClientID: "a", KeyPrivateKey: "b", KeyAppKey: "c", KeyHostname: "EU", KeyAppOwnerPublicKey: "d", KeyServerPublicKeyID: "10"}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("got %v, want %v", cfg, want)
	}
	for _, in := range []string{
		`{"clientId":"a","clientid":"x","privateKey":"b","appKey":"c","hostname":"EU"}`,
		`{"CLIENTID":"a","clientid":"x","privateKey":"b","appKey":"c","hostname":"EU"}`,
	} {
		if _, err := ParseConfig([]byte(in)); err == nil || !strings.Contains(err.Error(), "twice, in different case") {
			t.Errorf("%s: err = %v", in, err)
		}
	}
}
