package vaultstore

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/sdk/storagetest"
	"github.com/ksm-cli/ksm/shared"
)

func TestConfigFromFields(t *testing.T) {
	cfg := storagetest.FakeConfig()
	sdkJSON := string(shared.MarshalConfig(cfg))
	asFields := func() map[string]any {
		m := map[string]any{}
		for k, v := range cfg {
			m[k] = v
		}
		return m
	}
	withNumber := asFields()
	withNumber["serverPublicKeyId"] = json.Number("10")
	lower := map[string]any{}
	for k, v := range cfg {
		lower[strings.ToLower(k)] = v
	}
	both := asFields()
	both["config"] = sdkJSON
	cases := []struct {
		name    string
		fields  map[string]any
		wantErr string
	}{
		{"SDK keys as fields", asFields(), ""},
		{"key id as a number (vault kv put with JSON)", withNumber, ""},
		{"keys in lower case (as keeper.ini keeps them)", lower, ""},
		{"config field with SDK JSON", map[string]any{"config": sdkJSON}, ""},
		{"config field with base64", map[string]any{"config": base64.StdEncoding.EncodeToString([]byte(sdkJSON))}, ""},
		{"config field with URL-safe base64", map[string]any{"config": base64.RawURLEncoding.EncodeToString([]byte(sdkJSON))}, ""},
		{"no fields", map[string]any{}, "has no fields"},
		{"both shapes", both, "both a \"config\" field and SDK key fields"},
		{"config not a string", map[string]any{"config": map[string]any{"clientId": "x"}}, "is not a string"},
		{"config garbage", map[string]any{"config": "hunter2: not a config!"}, "neither JSON nor base64"},
		{"something else", map[string]any{"username": "alice", "password": "hunter2"}, "missing clientId"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := configFromFields(c.fields)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("got %v, want an error containing %q", err, c.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), cfg[shared.KeyPrivateKey]) {
					t.Errorf("error repeats a value: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range cfg {
				if got[k] != v {
					t.Errorf("key %s differs", k)
				}
			}
		})
	}
}

func TestSameFields(t *testing.T) {
	cfg := storagetest.FakeConfig()
	fields := fieldsFromConfig(cfg)
	if !sameFields(fieldsFromConfig(cfg), fields) {
		t.Error("equal fields differ")
	}
	more := fieldsFromConfig(cfg)
	more["extra"] = "x"
	num := fieldsFromConfig(cfg)
	num["serverPublicKeyId"] = json.Number("10")
	for name, cur := range map[string]map[string]any{"extra field": more, "number for string": num, "empty": {}} {
		if sameFields(cur, fields) {
			t.Errorf("%s: reported the same", name)
		}
	}
}
