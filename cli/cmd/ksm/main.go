// Command ksm manages Keeper Secrets Manager client-device profiles.
package main

import (
	"context"
	"os"
	"runtime/debug"

	"github.com/ksm-cli/ksm/cli/app"
	"github.com/ksm-cli/ksm/cli/internal/iostreams"
)

// Set at link time by `make build`: the version, and the SHA-256 of each
// plugin built with this ksm ("file=<hex>,aws=<hex>"), which are trusted
// when they sit beside the ksm executable.
var (
	version        = "dev"
	bundledPlugins = ""
)

func main() {
	// A ksm command lives for milliseconds: a garbage collection costs it
	// more time and memory than it frees. The limit brings the collector
	// back only for a pathological input.
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(256 << 20)
	build := app.Build{Version: version, Bundled: app.ParseBundled(bundledPlugins)}
	os.Exit(app.Main(context.Background(), os.Args, iostreams.System(), build))
}
