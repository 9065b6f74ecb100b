// Command faultplugin is a storage plugin that misbehaves on purpose, for
// ksm's end-to-end tests. It is installed as ksm-storage-fault-<mode>; the
// mode in its name picks the fault, since ksm passes plugins no test
// variables.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	plugin "github.com/hashicorp/go-plugin"

	"github.com/ksm-cli/ksm/internal/wire"
	"github.com/ksm-cli/ksm/sdk"
	"github.com/ksm-cli/ksm/shared"
)

func main() {
	mode := strings.TrimPrefix(filepath.Base(os.Args[0]), shared.BinaryPrefix+"fault-")
	switch mode {
	case "exit": // dies before the handshake
		fmt.Fprintln(os.Stderr, "fault: exiting at start")
		os.Exit(3)
	case "garbage": // prints something that is not a handshake
		fmt.Println("hello, I am not a plugin")
		select {}
	case "hang": // never handshakes
		select {}
	case "partial": // half a handshake line, then exits
		fmt.Print("1|1|unix")
		os.Exit(0)
	case "version": // speaks another protocol version
		hs := wire.Handshake
		hs.ProtocolVersion = 99
		plugin.Serve(&plugin.ServeConfig{HandshakeConfig: hs, Plugins: wire.PluginSet(store{mode}), GRPCServer: plugin.DefaultGRPCServer})
	default:
		sdk.Serve(store{mode})
	}
}

type store struct{ mode string }

func (s store) Describe(context.Context) (*shared.Description, error) {
	name := "fault-" + s.mode
	if s.mode == "wrongname" {
		name = "somethingelse"
	}
	return &shared.Description{
		Name: name, Version: "0.0.1", ProtocolVersion: shared.ProtocolVersion,
		Summary: "misbehaves on purpose",
		Options: []shared.Option{{Name: "where", Usage: "anything", Type: shared.OptionString, Default: "x"}},
	}, nil
}

func (s store) Validate(_ context.Context, o map[string]string) (shared.Settings, error) {
	return shared.Settings{"where": o["where"]}, nil
}

func (s store) Load(ctx context.Context, _ shared.Settings) (shared.Config, error) {
	switch s.mode {
	case "crash": // dies in the middle of a call
		os.Exit(2)
	case "slow": // answers after any deadline
		<-ctx.Done()
		select {}
	case "oversize": // an answer larger than the protocol allows
		return shared.Config{"clientId": strings.Repeat("A", 8<<20), "privateKey": "p", "appKey": "a", "hostname": "US"}, nil
	case "stdout": // writes to stdout mid-call, then answers
		fmt.Println("stray output with SECRETSTDOUT")
	case "denied":
		return nil, shared.Errorf(shared.CodePermissionDenied, "access to the vault was denied; ask your administrator")
	}
	return shared.Config{"clientId": "Y2xpZW50", "privateKey": "cHJpdmF0ZQ==", "appKey": "YXBwa2V5", "hostname": "EU"}, nil
}

func (s store) Save(context.Context, shared.SaveRequest) error {
	return shared.Errorf(shared.CodeUnimplemented, "fault store cannot save")
}
