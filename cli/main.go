// Command ksm manages Keeper Secrets Manager client-device profiles.
package main

import (
	"context"
	"os"

	"github.com/ksm-cli/ksm/cli/app"
	"github.com/ksm-cli/ksm/cli/internal/iostreams"
)

// version is set at build time: -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(app.Main(context.Background(), os.Args, iostreams.System(), version))
}
