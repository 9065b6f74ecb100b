package keeper

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestConfigJSONMatchesKeeperExport(t *testing.T) {
	want, err := os.ReadFile("../../../testdata/reference/export-plain-json.txt")
	if err != nil {
		t.Fatal(err)
	}
	var cfg Config
	if err := json.Unmarshal(want, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.ClientID == "" || cfg.AppOwnerPublicKey == "" {
		t.Fatalf("fixture did not load: %+v", cfg.Map())
	}
	got, err := json.MarshalIndent(cfg, "", "    ")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
		t.Fatalf("marshal differs from Keeper's export:\n%s", got)
	}
}

func TestConfigMap(t *testing.T) {
	cfg := Config{ClientID: "cid", PrivateKey: "pk", AppKey: "ak", Hostname: "US", ServerPublicKeyID: "10", AppOwnerPublicKey: "own"}
	m := cfg.Map()
	want := map[string]string{"clientId": "cid", "privateKey": "pk", "appKey": "ak", "hostname": "US", "serverPublicKeyId": "10", "appOwnerPublicKey": "own"}
	if fmt.Sprint(m) != fmt.Sprint(want) {
		t.Fatalf("Map = %v", m)
	}
	if back := ConfigFromMap(m); back != cfg {
		t.Fatalf("round trip = %+v", back.Map())
	}
	// keeper.ini keys are lower-cased; unknown keys are ignored.
	ini := map[string]string{}
	for k, v := range m {
		ini[strings.ToLower(k)] = " " + v + " "
	}
	ini["storage"] = "file"
	if back := ConfigFromMap(ini); back != cfg {
		t.Fatalf("from ini keys = %+v", back.Map())
	}
	// A serverPublicKey left by an older ksm is not part of the config
	// any more: Keeper's SDK encrypts only to its own key table.
	ini["serverpublickey"] = "spk"
	if back := ConfigFromMap(ini); back != cfg {
		t.Fatalf("serverPublicKey was kept: %+v", back.Map())
	}
}

func TestConfigNeverPrintsKeys(t *testing.T) {
	cfg := Config{ClientID: "CID-SECRETISH", PrivateKey: "PRIVATE-KEY", AppKey: "APP-KEY", Hostname: "EU", ServerPublicKeyID: "10"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, cfg)
		if strings.Contains(out, "PRIVATE-KEY") || strings.Contains(out, "APP-KEY") {
			t.Errorf("%s printed a key: %s", verb, out)
		}
		if !strings.Contains(out, "EU") {
			t.Errorf("%s lost the hostname: %s", verb, out)
		}
	}
}
