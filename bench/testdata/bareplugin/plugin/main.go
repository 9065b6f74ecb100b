// Command plugin is the plugin half of the bare go-plugin pair.
package main

import (
	plugin "github.com/hashicorp/go-plugin"

	"github.com/ksm-cli/ksm/bench/testdata/bareplugin"
)

func main() {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: bareplugin.Handshake,
		Plugins:         bareplugin.Set,
		GRPCServer:      plugin.DefaultGRPCServer,
	})
}
