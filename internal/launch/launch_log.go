package launch

import (
	hclog "github.com/hashicorp/go-hclog"
)

// demoted are go-plugin's messages about a plugin we stop on purpose or
// whose failure Launch and the Store calls already report as an error:
// at warn or error level they would repeat it, or alarm for nothing.
var demoted = map[string]bool{
	"plugin failed to exit gracefully": true,
	"plugin process exited":            true,
	"error closing client during Kill": true,
}

// hostLogger is the logger given to go-plugin; the plugin's own log lines
// go through Named loggers and keep their level.
type hostLogger struct{ hclog.Logger }

func (l hostLogger) Warn(msg string, args ...any) {
	if demoted[msg] {
		l.Logger.Debug(msg, args...)
		return
	}
	l.Logger.Warn(msg, args...)
}

func (l hostLogger) Error(msg string, args ...any) {
	if demoted[msg] {
		l.Logger.Debug(msg, args...)
		return
	}
	l.Logger.Error(msg, args...)
}

// strayStdout reports output a plugin should not have written, without
// repeating it: it could be anything, secrets included.
type strayStdout struct {
	logger hclog.Logger
	name   string
}

func (w *strayStdout) Write(p []byte) (int, error) {
	w.logger.Warn("plugin wrote to stdout; output dropped", "plugin", w.name, "bytes", len(p))
	return len(p), nil
}
