package wire

import (
	"context"
	"errors"

	hclog "github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	storagev1 "github.com/ksm-cli/ksm/shared/proto/storage/v1"

	"github.com/ksm-cli/ksm/shared"
)

// StoragePlugin is the go-plugin plugin that carries a Store over gRPC. A
// plugin serves Impl; the host leaves Impl nil and dispenses a Store.
type StoragePlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl shared.Store
	// Logger, in a plugin, records a panic of Impl (which is answered with
	// CodeUnknown instead of crashing the plugin); nil discards it.
	Logger hclog.Logger
}

var (
	_ plugin.GRPCPlugin              = (*StoragePlugin)(nil)
	_ shared.Store                   = (*grpcClient)(nil)
	_ storagev1.StorageServiceServer = (*grpcServer)(nil)
)

// PluginSet is the go-plugin plugin set of a storage plugin (impl nil on
// the host side).
func PluginSet(impl shared.Store) plugin.PluginSet {
	return plugin.PluginSet{shared.PluginName: &StoragePlugin{Impl: impl}}
}

// VersionedPlugins are the storage protocol versions this build speaks,
// each with its plugin set (impl nil on the host side; logger records a
// panic of impl). go-plugin's handshake picks the highest version both ksm
// and the plugin speak (PLUGIN_PROTOCOL_VERSIONS, then the handshake
// line's second field): a version 2 adds its entry beside version 1, and
// ksm keeps serving the plugins built before it.
func VersionedPlugins(impl shared.Store, logger hclog.Logger) map[int]plugin.PluginSet {
	return map[int]plugin.PluginSet{
		shared.ProtocolVersion: {shared.PluginName: &StoragePlugin{Impl: impl, Logger: logger}},
	}
}

// GRPCServer registers Impl with the plugin's gRPC server.
func (p *StoragePlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	if p.Impl == nil {
		return errors.New("storage plugin has no Store to serve")
	}
	logger := p.Logger
	if logger == nil {
		logger = hclog.NewNullLogger()
	}
	storagev1.RegisterStorageServiceServer(s, &grpcServer{impl: p.Impl, logger: logger})
	return nil
}

// GRPCClient returns the host's Store backed by the plugin's connection.
func (p *StoragePlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return newGRPCClient(c), nil
}

// Handshake is go-plugin's form of the contract's handshake constants. Its
// ProtocolVersion only serves a plugin that lists no VersionedPlugins.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  shared.ProtocolVersion,
	MagicCookieKey:   shared.MagicCookieKey,
	MagicCookieValue: shared.MagicCookieValue,
}
