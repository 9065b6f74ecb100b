package sdk

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/ksm-cli/ksm/internal/wire"
	"github.com/ksm-cli/ksm/shared"
)

// Serve is the whole main of a storage plugin: it serves store to ksm over
// gRPC until ksm closes it. Run by hand, it explains what it is and exits 1.
func Serve(store shared.Store) {
	if os.Getenv(shared.MagicCookieKey) != shared.MagicCookieValue {
		printRunByHand(os.Stderr, filepath.Base(os.Args[0]), store)
		os.Exit(1)
	}
	go exitWithParent(os.Getppid(), time.Second)
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: wire.Handshake,
		Plugins: plugin.PluginSet{
			shared.PluginName: &wire.StoragePlugin{Impl: store, Logger: Logger()},
		},
		GRPCServer: newGRPCServer,
		Logger:     Logger().Named("go-plugin"),
	})
}

// exitWithParent ends the plugin once ksm is gone (the plugin is then
// re-parented, and its parent pid changes): a plugin must never outlive
// the command that started it, even where ksm could not stop it (SIGKILL)
// and the OS has no parent-death signal.
func exitWithParent(ppid int, every time.Duration) {
	for range time.Tick(every) {
		if os.Getppid() != ppid {
			Logger().Debug("ksm is gone; exiting")
			os.Exit(1)
		}
	}
}

// newGRPCServer keeps gRPC's message limit in both directions, so an
// oversized answer fails cleanly on the plugin's side, and the fixed flow
// window ksm dials with (wire.WindowServerOptions).
func newGRPCServer(opts []grpc.ServerOption) *grpc.Server {
	opts = append(opts,
		grpc.MaxRecvMsgSize(wire.MaxMessageSize),
		grpc.MaxSendMsgSize(wire.MaxMessageSize))
	opts = append(opts, wire.WindowServerOptions()...)
	return grpc.NewServer(opts...)
}

func printRunByHand(w io.Writer, binary string, store shared.Store) {
	typ := strings.TrimPrefix(binary, shared.BinaryPrefix)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if d, err := store.Describe(ctx); err == nil && d != nil && d.Name != "" {
		typ = d.Name
	}
	fmt.Fprintf(w, "%s is a ksm storage plugin (type %q): ksm starts it when a profile "+
		"needs it, so it is not meant to be run by hand. Install it next to the ksm "+
		"executable or in a plugin directory (see `ksm plugin list`), then use "+
		"`ksm profile setup --type=%s`.\n", binary, typ, typ)
}
