// Command ksm-storage-env is a complete, minimal ksm storage plugin: it
// loads a profile's client config from an environment variable. Build it
// as ksm-storage-env and put it next to ksm, then:
//
//	export KSM_EXAMPLE_CONFIG="$(cat config.json)"
//	ksm profile setup --type=env --variable=KSM_EXAMPLE_CONFIG -p ci
//
// ksm passes a plugin only the variables it declares (here KSM_EXAMPLE_*).
package main

import (
	"context"

	"github.com/ksm-cli/ksm/sdk"
)

// version is set at build time: -ldflags "-X main.version=1.2.3".
var version = "0.1.0"

func main() {
	sdk.Serve(envStore{})
}

// options are the flags of `ksm profile setup --type=env`.
var setupOptions = []sdk.Option{
	sdk.String("variable", "environment variable holding the config (SDK JSON or base64), named KSM_EXAMPLE_*",
		sdk.Required()),
}

func (envStore) Describe(context.Context) (*sdk.Description, error) {
	return &sdk.Description{
		Name:    "previous",
		Version: version,
		Summary: "client config in an environment variable (read-only)",
		Options: setupOptions,
		CanSave: false,
		Env:     []string{envPrefix + "*"},
	}, nil
}
