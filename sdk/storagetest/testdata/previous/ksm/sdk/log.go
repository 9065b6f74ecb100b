package sdk

import (
	"os"
	"sync"

	hclog "github.com/hashicorp/go-hclog"

	"github.com/ksm-cli/ksm/shared"
)

// stderr is the plugin's real stderr, kept before go-plugin redirects
// os.Stderr: ksm reads log lines from it and keeps their level.
var stderr = os.Stderr

var (
	loggerOnce sync.Once
	logger     hclog.Logger
)

// Logger is the plugin's logger: JSON lines on stderr, which ksm shows with
// its own logs (`--debug`). Its level comes from KSM_PLUGIN_LOG_LEVEL
// (trace, debug, info, warn, error, off), set by ksm; info by default.
// Never log a secret: config values, keys, tokens.
func Logger() hclog.Logger {
	loggerOnce.Do(func() {
		logger = hclog.New(&hclog.LoggerOptions{
			Output:     stderr,
			JSONFormat: true,
			Level:      levelFromEnv(os.Getenv(shared.EnvLogLevel)),
		})
	})
	return logger
}

func levelFromEnv(v string) hclog.Level {
	if lvl := hclog.LevelFromString(v); lvl != hclog.NoLevel {
		return lvl
	}
	return hclog.Info
}
