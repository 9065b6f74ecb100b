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

func (store) Describe(context.Context) (*shared.Description, error) {
	return &shared.Description{
		Name:            "worse",                             // not the binary's name
		Version:         time.Now().Format(time.RFC3339Nano), // not static
		ProtocolVersion: shared.ProtocolVersion,
		Options:         []shared.Option{{Name: "profile", Usage: "collides with ksm's flag"}},
	}, nil
}

// Validate accepts anything.
func (store) Validate(_ context.Context, options map[string]string) (shared.Settings, error) {
	return shared.Settings(options), nil
}

func (store) Load(ctx context.Context, s shared.Settings) (shared.Config, error) {
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
	return shared.Config{"clientId": "someone else"}, nil
}

// Save claims success although Describe says it cannot save.
func (store) Save(context.Context, shared.SaveRequest) error { return nil }
