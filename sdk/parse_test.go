package sdk

import (
	"reflect"
	"strings"
	"testing"

	hclog "github.com/hashicorp/go-hclog"

	"github.com/ksm-cli/ksm/internal/setupflags"
	"github.com/ksm-cli/ksm/shared"
)

var declared = []shared.Option{
	String("path", "where the config lives", Required(), EnvVars("X_PATH")),
	String("token", "api token", Sensitive()),
	Bool("create", "create the file", Default("false")),
	Enum("format", "file format", []string{"json", "base64"}, Default("json")),
	Enum("secret-mode", "mode", []string{"a", "b"}, Sensitive()),
}

func TestOptionHelpers(t *testing.T) {
	want := []shared.Option{
		{Name: "path", Usage: "where the config lives", Type: shared.OptionString, Required: true, EnvVars: []string{"X_PATH"}},
		{Name: "token", Usage: "api token", Type: shared.OptionString, Sensitive: true},
		{Name: "create", Usage: "create the file", Type: shared.OptionBool, Default: "false"},
		{Name: "format", Usage: "file format", Type: shared.OptionEnum, Allowed: []string{"json", "base64"}, Default: "json"},
		{Name: "secret-mode", Usage: "mode", Type: shared.OptionEnum, Allowed: []string{"a", "b"}, Sensitive: true},
	}
	if !reflect.DeepEqual(declared, want) {
		t.Errorf("got %+v\nwant %+v", declared, want)
	}
	d := shared.Description{Name: "x", Version: "1", ProtocolVersion: shared.ProtocolVersion, Options: declared}
	if err := d.Check("x", setupflags.ReservedNames()); err != nil {
		t.Errorf("helpers declare options that fail the contract: %v", err)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		given   map[string]string
		want    Values
		wantErr string
	}{
		{"defaults applied", map[string]string{"path": "/p"},
			Values{"path": "/p", "token": "", "create": "false", "format": "json", "secret-mode": ""}, ""},
		{"bool normalised", map[string]string{"path": "/p", "create": "1", "format": "base64"},
			Values{"path": "/p", "token": "", "create": "true", "format": "base64", "secret-mode": ""}, ""},
		{"required missing", map[string]string{"token": "t"}, nil, "--path is required"},
		{"required empty", map[string]string{"path": ""}, nil, "--path is required"},
		{"unknown option", map[string]string{"path": "/p", "colour": "red"}, nil,
			"unknown option --colour (known: --path, --token, --create, --format, --secret-mode)"},
		{"bad bool", map[string]string{"path": "/p", "create": "maybe"}, nil, `--create takes true or false (got "maybe")`},
		{"bad enum", map[string]string{"path": "/p", "format": "xml"}, nil, `--format must be one of json, base64 (got "xml")`},
		{"sensitive value not echoed", map[string]string{"path": "/p", "secret-mode": "s3cr3t"}, nil, "--secret-mode must be one of a, b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(declared, tt.given)
			if tt.wantErr != "" {
				if shared.CodeOf(err) != shared.CodeInvalidArgument || err.Error() != tt.wantErr {
					t.Fatalf("got %v %v, want invalid argument %q", shared.CodeOf(err), err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	v, _ := Parse(declared, map[string]string{"path": "/p", "create": "true"})
	if !v.Bool("create") || v.String("path") != "/p" {
		t.Errorf("accessors: %v", v)
	}
	_, err := Parse(nil, map[string]string{"x": "1"})
	if err == nil || !strings.Contains(err.Error(), "(known: none)") {
		t.Errorf("no options declared: %v", err)
	}
}

func TestLevelFromEnv(t *testing.T) {
	tests := map[string]hclog.Level{"": hclog.Info, "debug": hclog.Debug, "TRACE": hclog.Trace, "off": hclog.Off, "loud": hclog.Info}
	for in, want := range tests {
		if got := levelFromEnv(in); got != want {
			t.Errorf("%q: got %v, want %v", in, got, want)
		}
	}
}
