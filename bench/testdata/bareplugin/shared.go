// Package bareplugin is the smallest go-plugin gRPC pair: the bench's floor
// for launching a plugin, making one call and stopping it. It uses
// go-plugin's defaults (its own runner, a Unix socket, no AutoMTLS) and
// nothing of ksm.
package bareplugin

import (
	"context"

	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// Handshake is the pair's own handshake.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "KSM_BENCH_BARE_PLUGIN",
	MagicCookieValue: "bare",
}

// Name is the one plugin in the set.
const Name = "bare"

// Plugin registers no service of its own: the one call is go-plugin's
// health check, which every gRPC plugin serves.
type Plugin struct{ plugin.NetRPCUnsupportedPlugin }

var _ plugin.GRPCPlugin = Plugin{}

func (Plugin) GRPCServer(*plugin.GRPCBroker, *grpc.Server) error { return nil }

func (Plugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return c, nil
}

// Set is the plugin map both sides use.
var Set = plugin.PluginSet{Name: Plugin{}}
