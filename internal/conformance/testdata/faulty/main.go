// Command faulty is a working storage plugin with one fault, chosen by the
// type in its name (ksm-storage-<fault>), so that each check of the
// contract can be shown to catch it:
//
//	stdout     prints to stdout during Load
//	rawstdout  writes to file descriptor 1 during Load, as a plugin in
//	           another language does (the stdout fault goes through
//	           go-plugin's os.Stdout, forwarded over its stdio stream)
//	deadline   Load ignores its context and sleeps an hour (when its
//	           deadline is short, to keep the other checks quick)
//	multiline  errors span lines and hold an escape sequence
//	reserved   declares an option named "profile"
//	noversion  reports no version
//	storedown  Load answers that its store is unreachable (no fault of the
//	           plugin: the environment's)
//	greedyenv  declares env "A*" (refused: too broad) and, if it was
//	           given AWS_SECRET_ACCESS_KEY anyway, leaves a file named
//	           leaked beside itself
//	hangs      every call ignores its context and sleeps an hour: a
//	           plugin stuck on a store that never answers
//	nodetail   answers errors as plain gRPC statuses, without the
//	           StoreError detail (as a store in another language might)
//	.install-*  (the temp name `ksm plugin install` runs it under)
//	           Describe ignores its context and sleeps an hour
//
// Any other type is the plugin without a fault.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"

	"github.com/ksm-cli/ksm/internal/wire"
	"github.com/ksm-cli/ksm/sdk"
	"github.com/ksm-cli/ksm/shared"
)

var fault = strings.TrimPrefix(filepath.Base(os.Args[0]), shared.BinaryPrefix)

func main() {
	s := &store{configs: map[string]sdk.Config{}}
	if (fault == "noversion" || fault == "multiline") && os.Getenv(shared.MagicCookieKey) != "" {
		// The sdk would fill the version in and escape the line breaks; a
		// plugin in another language would not.
		plugin.Serve(&plugin.ServeConfig{HandshakeConfig: wire.Handshake, Plugins: wire.PluginSet(s), GRPCServer: plugin.DefaultGRPCServer})
		return
	}
	if fault == "nodetail" && os.Getenv(shared.MagicCookieKey) != "" {
		serveWithoutDetail(s)
		return
	}
	sdk.Serve(s)
}

// serveWithoutDetail serves s with every error status rebuilt from its
// code and message alone: the StoreError detail is dropped.
func serveWithoutDetail(s *store) {
	strip := func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		resp, err := handler(ctx, req)
		if err != nil {
			st := status.Convert(err)
			return nil, status.Error(st.Code(), st.Message())
		}
		return resp, nil
	}
	plugin.Serve(&plugin.ServeConfig{HandshakeConfig: wire.Handshake, Plugins: wire.PluginSet(s),
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			return grpc.NewServer(append(opts, grpc.ChainUnaryInterceptor(strip))...)
		}})
}

type store struct {
	mu      sync.Mutex
	configs map[string]sdk.Config
}

func (s *store) options() []sdk.Option {
	name := "slot"
	if fault == "reserved" {
		name = "profile"
	}
	return []sdk.Option{sdk.String(name, "where the config is kept", sdk.Required())}
}

// hang is the hangs fault: a deliberate sleep, never synchronisation.
func hang() {
	if fault == "hangs" {
		time.Sleep(time.Hour) // the fault itself
	}
}

func (s *store) Describe(context.Context, *sdk.DescribeRequest) (*sdk.DescribeResponse, error) {
	hang()
	if strings.HasPrefix(fault, ".install-") {
		time.Sleep(time.Hour) // the fault: a Describe that never returns
	}
	version := "1.0.0"
	if fault == "noversion" {
		version = ""
	}
	var env []string
	if fault == "greedyenv" {
		env = []string{"A*"}
		if os.Getenv("AWS_SECRET_ACCESS_KEY") != "" {
			_ = os.WriteFile(filepath.Join(filepath.Dir(os.Args[0]), "leaked"), nil, 0o600)
		}
	}
	return &sdk.DescribeResponse{Description: sdk.Description{Name: fault, Version: version, ProtocolVersion: shared.ProtocolVersion,
		Summary: "a plugin with one fault", Options: s.options(), CanSave: true, Env: env}}, nil
}

func (s *store) Validate(_ context.Context, req *sdk.ValidateRequest) (*sdk.ValidateResponse, error) {
	hang()
	options := req.Options
	v, err := sdk.Parse(s.options(), options)
	if err != nil {
		if fault == "multiline" {
			return nil, sdk.Errorf(sdk.CodeInvalidArgument, "bad options:\n\x1b[31m%v\x1b[0m", err)
		}
		return nil, err
	}
	return &sdk.ValidateResponse{Settings: sdk.Settings{"where": v.String(s.options()[0].Name)}}, nil
}

func (s *store) Load(ctx context.Context, req *sdk.LoadRequest) (*sdk.LoadResponse, error) {
	hang()
	settings := req.Settings
	switch fault {
	case "stdout":
		fmt.Println("loading", settings["where"])
	case "rawstdout":
		fmt.Fprintln(os.NewFile(1, "stdout"), "loading", settings["where"])
	case "deadline":
		if d, ok := ctx.Deadline(); ok && time.Until(d) < time.Second {
			time.Sleep(time.Hour) // the fault: the deadline ignored
		}
	case "storedown":
		return nil, sdk.Errorf(sdk.CodeUnavailable, "cannot reach the store at https://store.invalid")
	}
	if settings["where"] == "" {
		return nil, sdk.Errorf(sdk.CodeInvalidArgument, "no settings; run ksm profile setup again")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg, ok := s.configs[settings["where"]]
	if !ok {
		return nil, sdk.Errorf(sdk.CodeNotFound, "no config at %s", settings["where"])
	}
	return &sdk.LoadResponse{Config: cfg}, nil
}

func (s *store) Save(_ context.Context, req *sdk.SaveRequest) (*sdk.SaveResponse, error) {
	hang()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.configs[req.Settings["where"]] = req.Config
	return &sdk.SaveResponse{}, nil
}
