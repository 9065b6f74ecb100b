// Command bad breaks every rule storagetest checks, so that its tests can
// prove each check fails when it should.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	plugin "github.com/hashicorp/go-plugin"

	"github.com/ksm-cli/ksm/internal/wire"
	"github.com/ksm-cli/ksm/shared"
)

func main() {
	if os.Getenv(shared.MagicCookieKey) == "" {
		fmt.Println("usage: run me from ksm") // stdout, exit 0: wrong twice
		return
	}
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: wire.Handshake,
		Plugins:         wire.PluginSet(store{}),
		GRPCServer:      plugin.DefaultGRPCServer,
	})
}

type store struct{}

func (store) Describe(_ context.Context, _ *shared.DescribeRequest) (*shared.DescribeResponse, error) {
	return &shared.DescribeResponse{Description: shared.Description{
		Name:            "worse",                             // not the binary's name
		Version:         time.Now().Format(time.RFC3339Nano), // not static
		ProtocolVersion: shared.ProtocolVersion,
		Options:         []shared.Option{{Name: "profile", Usage: "collides with ksm's flag"}},
	}}, nil
}

// Validate accepts anything.
func (store) Validate(_ context.Context, req *shared.ValidateRequest) (*shared.ValidateResponse, error) {
	options := req.Options
	return &shared.ValidateResponse{Settings: shared.Settings(options)}, nil
}

func (store) Load(ctx context.Context, req *shared.LoadRequest) (*shared.LoadResponse, error) {
	s := req.Settings
	switch {
	case len(s) == 0:
		panic("no settings")
	case s["profile"] == "missing":
		return nil, errors.New("nothing there") // not NotFound
	}
	select {
	case <-time.After(50 * time.Millisecond):
	case <-ctx.Done():
		os.Exit(7) // dies when a deadline passes
	}
	return &shared.LoadResponse{Config: shared.Config{"clientId": "someone else"}}, nil
}

// Save claims success although Describe says it cannot save.
func (store) Save(_ context.Context, _ *shared.SaveRequest) (*shared.SaveResponse, error) {
	return &shared.SaveResponse{}, nil
}
