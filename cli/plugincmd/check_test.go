package plugincmd

import (
	"slices"
	"strings"
	"testing"
)

func TestPairs(t *testing.T) {
	tests := []struct {
		in   []string
		want map[string]string
		err  string
	}{
		{nil, nil, ""},
		{[]string{"path=a=b", "x="}, map[string]string{"path": "a=b", "x": ""}, ""},
		{[]string{"path"}, nil, `--option takes NAME=VALUE, got "path"`},
		{[]string{"=v"}, nil, `--option takes NAME=VALUE, got "=v"`},
	}
	for _, tt := range tests {
		got, err := pairs("--option", tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%q: got %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || len(got) != len(tt.want) {
			t.Errorf("%q: got %v, %v", tt.in, got, err)
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("%q: %s=%q, want %q", tt.in, k, got[k], v)
			}
		}
	}
}

// The sandbox gets its own home and temp dir, our locale and PATH, and the
// declared variables, never ksm's secrets.
func TestSandboxEnv(t *testing.T) {
	for k, v := range map[string]string{
		"VAULT_ADDR": "http://v", "VAULTX": "no", "KSM_TOKEN": "secret", "KSM_CONFIG_BASE64_1": "secret",
		"KSM_EXAMPLE_CONFIG": "cfg", "OTHER": "no", "PATH": "/bin",
	} {
		t.Setenv(k, v)
	}
	getenv := func(k string) string {
		if k == "PATH" {
			return "/bin"
		}
		return ""
	}
	env := sandboxEnv(getenv, "/sb", []string{"VAULT_ADDR", "KSM_*", "*"})
	for _, want := range []string{"HOME=/sb/home", "TMPDIR=/sb/tmp", "PATH=/bin", "VAULT_ADDR=http://v", "KSM_EXAMPLE_CONFIG=cfg"} {
		if !slices.Contains(env, want) {
			t.Errorf("env lacks %s: %v", want, env)
		}
	}
	for _, kv := range env {
		if strings.Contains(kv, "secret") || strings.HasPrefix(kv, "VAULTX=") || strings.HasPrefix(kv, "OTHER=") {
			t.Errorf("env has %s", kv)
		}
	}
}
