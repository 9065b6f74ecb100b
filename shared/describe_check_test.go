package shared

import (
	"strings"
	"testing"
)

func goodDescription() *Description {
	return &Description{
		Name: "vault-kv", Version: "1.0.0", ProtocolVersion: ProtocolVersion,
		Options: []Option{
			{Name: "path", Usage: "secret path", Required: true, EnvVars: []string{"VAULT_PATH"}},
			{Name: "tls", Usage: "use tls", Type: OptionBool, Default: "true"},
			{Name: "engine", Usage: "kv version", Type: OptionEnum, Allowed: []string{"v1", "v2"}, Default: "v2"},
		},
		Env: []string{"VAULT_*", "HOME"},
	}
}

func TestDescriptionCheck(t *testing.T) {
	tests := []struct {
		name   string
		typ    string
		change func(*Description)
		want   []string // each must appear; none means no error
	}{
		{"good", "vault-kv", func(*Description) {}, nil},
		{"name differs from binary", "vault", func(*Description) {}, []string{`name "vault-kv" differs from the binary's name ksm-storage-vault`}},
		{"bad name", "Vault", func(d *Description) { d.Name = "Vault" }, []string{`name "Vault" is not lower-case words`}},
		{"protocol", "vault-kv", func(d *Description) { d.ProtocolVersion = 2 }, []string{"protocol version 2, want 1"}},
		{"no version", "vault-kv", func(d *Description) { d.Version = " " }, []string{"no version"}},
		{"reserved option", "vault-kv", func(d *Description) { d.Options[0].Name = "profile" }, []string{`option "profile": name is reserved`}},
		{"short reserved option", "vault-kv", func(d *Description) { d.Options[0].Name = "p" }, []string{`option "p": name is reserved`}},
		{"bad option name", "vault-kv", func(d *Description) { d.Options[0].Name = "--path" }, []string{`option "--path": name is not lower-case`}},
		{"duplicate option", "vault-kv", func(d *Description) { d.Options[1].Name = "path" }, []string{`option "path" declared twice`}},
		{"no usage", "vault-kv", func(d *Description) { d.Options[0].Usage = "" }, []string{`option "path": no usage text`}},
		{"required with default", "vault-kv", func(d *Description) { d.Options[0].Default = "x" }, []string{"required but has a default"}},
		{"bad bool default", "vault-kv", func(d *Description) { d.Options[1].Default = "yes please" }, []string{`default "yes please" is not true or false`}},
		{"enum default not allowed", "vault-kv", func(d *Description) { d.Options[2].Default = "v3" }, []string{`default "v3" is not one of the allowed values`}},
		{"enum without values", "vault-kv", func(d *Description) { d.Options[2].Allowed, d.Options[2].Default = nil, "" }, []string{"enum without allowed values"}},
		{"allowed on string", "vault-kv", func(d *Description) { d.Options[0].Allowed = []string{"a"} }, []string{"allowed values on a string option"}},
		{"unknown type", "vault-kv", func(d *Description) { d.Options[0].Type = 7 }, []string{"unknown type 7"}},
		{"bad env var", "vault-kv", func(d *Description) { d.Options[0].EnvVars = []string{"VAULT-PATH"} }, []string{`env var "VAULT-PATH" is not a variable name`}},
		{"bad env pattern", "vault-kv", func(d *Description) { d.Env = []string{"VA*ULT"} }, []string{`env "VA*ULT" is neither`}},
		{"asks for the token", "vault-kv", func(d *Description) { d.Env = []string{"KSM_*"} }, []string{`env "KSM_*" asks for KSM_TOKEN`, `env "KSM_*" asks for KSM_CLI_TOKEN`, `env "KSM_*" asks for KSM_CONFIG`}},
		{"asks for everything", "vault-kv", func(d *Description) { d.Env = []string{"*"} }, []string{`env "*" is neither`}},
		{"one letter prefix", "vault-kv", func(d *Description) { d.Env = []string{"A*"} }, []string{`env "A*" is too broad`}},
		{"every letter", "vault-kv", func(d *Description) {
			d.Env = nil
			for c := 'A'; c <= 'Z'; c++ {
				d.Env = append(d.Env, string(c)+"*")
			}
		}, []string{`env "A*" is too broad`, `env "K*" is too broad`, `env "Z*" is too broad`}},
		{"prefix without underscore", "vault-kv", func(d *Description) { d.Env = []string{"AWS*"} }, []string{`env "AWS*" is too broad`}},
		{"exact secret", "vault-kv", func(d *Description) { d.Env = []string{"KSM_CONFIG"} }, []string{`env "KSM_CONFIG" asks for KSM_CONFIG`}},
		{"container config", "vault-kv", func(d *Description) { d.Env = []string{"KSM_CONFIG_BASE64_1"} }, []string{`asks for KSM_CONFIG`}},
		{"cli token", "vault-kv", func(d *Description) { d.Env = []string{"KSM_CLI_TOKEN"} }, []string{`asks for KSM_CLI_TOKEN`}},
		{"config prefix", "vault-kv", func(d *Description) { d.Env = []string{"KSM_CONFIG_*"} }, []string{`asks for KSM_CONFIG`}},
		{"storage option", "vault-kv", func(d *Description) { d.Options[0].Name = "storage" }, []string{`option "storage": name is reserved`}},
		{"short name", "vault-kv", func(d *Description) { d.Options[0].Short, d.Options[1].Short = "a", "T" }, nil},
		{"short name not a letter", "vault-kv", func(d *Description) { d.Options[0].Short = "1" }, []string{`option "path": short name "1" is not one ASCII letter`}},
		{"short name two letters", "vault-kv", func(d *Description) { d.Options[0].Short = "pa" }, []string{`short name "pa" is not one ASCII letter`}},
		{"short name dash", "vault-kv", func(d *Description) { d.Options[0].Short = "-" }, []string{`short name "-" is not one ASCII letter`}},
		{"short name not ascii", "vault-kv", func(d *Description) { d.Options[0].Short = "é" }, []string{`short name "é" is not one ASCII letter`}},
		{"short name escape", "vault-kv", func(d *Description) { d.Options[0].Short = "\x1b" }, []string{`short name "\x1b" is not one ASCII letter`}},
		{"short name reserved", "vault-kv", func(d *Description) { d.Options[0].Short = "p" }, []string{`option "path": short name "p" is reserved by ksm`}},
		{"short name twice", "vault-kv", func(d *Description) { d.Options[0].Short, d.Options[2].Short = "e", "e" }, []string{`option "engine": short name "e" is also the short name of option "path"`}},
		{"short name is another option", "vault-kv", func(d *Description) { d.Options[1].Name, d.Options[0].Short = "x", "x" }, []string{`option "path": short name "x" is the name of another option`}},
		{"similar name is fine", "vault-kv", func(d *Description) { d.Env = []string{"KSM_TOKENS_DIR", "KSM_EXAMPLE_*"} }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := goodDescription()
			tt.change(d)
			err := d.Check(tt.typ, testReserved)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// testReserved stands for the host's list (internal/setupflags, tied to
// the real flags there): the contract only applies what it is given.
var testReserved = []string{"type", "profile", "profile-name", "p", "storage"}

func TestEnvMatches(t *testing.T) {
	patterns := []string{"AWS_*", "HOME", "*"}
	tests := []struct {
		name string
		want bool
	}{
		{"AWS_REGION", true},
		{"AWS_", true},
		{"AWSX", false},
		{"HOME", true},
		{"HOMEDIR", false},
		{"PATH", false}, // a bare "*" names no prefix: it matches nothing
	}
	for _, tt := range tests {
		if got := EnvMatches(patterns, tt.name); got != tt.want {
			t.Errorf("EnvMatches(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
