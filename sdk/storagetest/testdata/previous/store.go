package main

import (
	"context"
	"os"
	"regexp"

	"github.com/ksm-cli/ksm/sdk"
)

// envPrefix: ksm passes the plugin only variables it declares, so the
// config variable must be one of them.
const envPrefix = "KSM_EXAMPLE_"

var variablePattern = regexp.MustCompile(`^` + envPrefix + `[A-Z0-9_]+$`)

// envStore reads configs from environment variables; it cannot save.
type envStore struct{}

// Validate checks the options and returns the settings ksm keeps in
// keeper.ini: here simply the variable's name.
func (envStore) Validate(_ context.Context, options map[string]string) (sdk.Settings, error) {
	values, err := sdk.Parse(setupOptions, options)
	if err != nil {
		return nil, err
	}
	name, err := variable(values.String("variable"))
	if err != nil {
		return nil, err
	}
	return sdk.Settings{"variable": name}, nil
}

func (envStore) Load(_ context.Context, settings sdk.Settings) (sdk.Config, error) {
	name, err := variable(settings["variable"])
	if err != nil {
		return nil, err
	}
	value, ok := os.LookupEnv(name)
	if !ok || value == "" {
		return nil, sdk.Errorf(sdk.CodeNotFound, "environment variable %s is not set", name)
	}
	cfg, err := sdk.ParseConfig([]byte(value))
	if err != nil {
		return nil, sdk.Errorf(sdk.CodeInvalidArgument, "%s does not hold a ksm config (SDK JSON or base64 of it): %v", name, err)
	}
	return cfg, nil
}

func (envStore) Save(context.Context, sdk.SaveRequest) error {
	return sdk.Errorf(sdk.CodeUnimplemented, "the env store is read-only: set the variable yourself")
}

func variable(name string) (string, error) {
	if !variablePattern.MatchString(name) {
		return "", sdk.Errorf(sdk.CodeInvalidArgument, "--variable must be an upper-case name starting with %s", envPrefix)
	}
	return name, nil
}
