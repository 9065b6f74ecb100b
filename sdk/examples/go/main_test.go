package main

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/sdk"
	"github.com/ksm-cli/ksm/sdk/storagetest"
)

var binary string

func TestMain(m *testing.M) { storagetest.Main(m, ".", "env", &binary) }

// The plugin as ksm runs it: a separate process, through the whole contract.
func TestConformance(t *testing.T) {
	sample := storagetest.FakeConfig()
	storagetest.Run(t, storagetest.Config{
		Binary: binary,
		Env: []string{
			"KSM_EXAMPLE_CONFIG=" + string(sdk.MarshalConfig(sample)),
			"KSM_EXAMPLE_B64=" + base64.StdEncoding.EncodeToString(sdk.MarshalConfig(sample)),
		},
		ValidOptions: map[string]string{"variable": "KSM_EXAMPLE_CONFIG"},
		InvalidOptions: []map[string]string{
			{"variable": "HOME"},
			{"variable": "ksm_example_lower"},
			{"variable": ""},
		},
		MissingSettings: sdk.Settings{"variable": "KSM_EXAMPLE_UNSET"},
		SampleConfig:    sample,
	})
}

func TestLoad(t *testing.T) {
	sample := storagetest.FakeConfig()
	t.Setenv("KSM_EXAMPLE_JSON", string(sdk.MarshalConfig(sample)))
	t.Setenv("KSM_EXAMPLE_B64", base64.RawURLEncoding.EncodeToString(sdk.MarshalConfig(sample)))
	t.Setenv("KSM_EXAMPLE_BAD", "secret-looking-value")
	tests := []struct {
		variable string
		code     sdk.Code
		want     string
	}{
		{"KSM_EXAMPLE_JSON", sdk.CodeUnknown, ""},
		{"KSM_EXAMPLE_B64", sdk.CodeUnknown, ""},
		{"KSM_EXAMPLE_UNSET", sdk.CodeNotFound, "environment variable KSM_EXAMPLE_UNSET is not set (ksm passes a store only the variables it declares: KSM_EXAMPLE_*)"},
		{"KSM_EXAMPLE_BAD", sdk.CodeInvalidArgument, "KSM_EXAMPLE_BAD does not hold a ksm config (SDK JSON or base64 of it)"},
		{"PATH", sdk.CodeInvalidArgument, "--variable must be an upper-case name starting with KSM_EXAMPLE_"},
	}
	for _, tt := range tests {
		t.Run(tt.variable, func(t *testing.T) {
			resp, err := envStore{}.Load(context.Background(), &sdk.LoadRequest{Settings: sdk.Settings{"variable": tt.variable}})
			if tt.want == "" {
				if err != nil || resp.Config["clientId"] != sample["clientId"] {
					t.Fatalf("got %v, %v", resp, err)
				}
				return
			}
			if sdk.CodeOf(err) != tt.code || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("got %v %v, want %v %q", sdk.CodeOf(err), err, tt.code, tt.want)
			}
			if strings.Contains(err.Error(), "secret-looking-value") {
				t.Error("error repeats the variable's value")
			}
		})
	}
}
