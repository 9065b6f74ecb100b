package keeperlayout

import (
	"slices"
	"testing"
)

func TestProfileOf(t *testing.T) {
	tests := []struct {
		service, item, want string
		ok                  bool
	}{
		{Service, "ksm-cli-profile-prod", "prod", true},
		{Service, "ksm-cli-profile-_default", "_default", true},
		{Service, "ksm-cli-profile-prod-integrity", "", false},
		{Service, "ksm-cli-profile-a.b", "", false},
		{Service, "ksm-cli-profile-", "", false},
		{Service, "ksm-cli-common", "", false},
		{"other", "ksm-cli-profile-prod", "", false},
	}
	for _, tt := range tests {
		got, ok := ProfileOf(tt.service, tt.item)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ProfileOf(%q, %q) = %q %v, want %q %v", tt.service, tt.item, got, ok, tt.want, tt.ok)
		}
	}
}

func TestIndexRoundTrip(t *testing.T) {
	for _, names := range [][]string{nil, {"a"}, {"prod", "dev", "_default"}} {
		got, active, err := IndexFromConfig(IndexToConfig(names, "dev"))
		if err != nil || !slices.Equal(got, names) || active != "dev" {
			t.Errorf("%v: got %v %q %v", names, got, active, err)
		}
	}
	if _, _, err := IndexFromConfig(map[string]string{"clientId": "x"}); err == nil {
		t.Error("a client config was taken for the index")
	}
	// Names Keeper's CLI would not accept are dropped.
	got, _, _ := IndexFromConfig(map[string]string{IndexProfilesKey: "ok,not ok,,also-ok"})
	if !slices.Equal(got, []string{"ok", "also-ok"}) {
		t.Errorf("got %v", got)
	}
}

func TestActiveRoundTrip(t *testing.T) {
	if got, err := ActiveFromConfig(ActiveToConfig("dev")); got != "dev" || err != nil {
		t.Errorf("got %q %v", got, err)
	}
	for _, cfg := range []map[string]string{
		{},
		{IndexActiveKey: ""},
		{IndexActiveKey: "a b"},
		{IndexActiveKey: "dev", "clientId": "x"},
		{"clientId": "x"},
	} {
		if name, err := ActiveFromConfig(cfg); err == nil {
			t.Errorf("%v: accepted as %q", cfg, name)
		}
	}
}
