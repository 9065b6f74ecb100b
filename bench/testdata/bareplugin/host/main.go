// Command host is the host half of the bare go-plugin pair: it launches
// the plugin given as its argument, makes one gRPC call and stops it.
package main

import (
	"fmt"
	"os"
	"os/exec"

	hclog "github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"

	"github.com/ksm-cli/ksm/bench/testdata/bareplugin"
)

func main() {
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "bare host:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  bareplugin.Handshake,
		Plugins:          bareplugin.Set,
		Cmd:              exec.Command(path),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           hclog.NewNullLogger(),
	})
	defer client.Kill()
	rpc, err := client.Client()
	if err != nil {
		return err
	}
	if _, err := rpc.Dispense(bareplugin.Name); err != nil {
		return err
	}
	// The one call: go-plugin's health check, a full gRPC round trip.
	return rpc.Ping()
}
