package launch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ksm-cli/ksm/shared"
)

// startError turns go-plugin's start-up error into one clear *Error.
func (c *Conn) startError(ctx context.Context, timeout time.Duration, err error) error {
	var typed *shared.Error
	msg := err.Error()
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return shared.Errorf(shared.CodeDeadlineExceeded, "plugin %s did not start before the deadline", c.name)
	case ctx.Err() != nil:
		return shared.Errorf(shared.CodeCanceled, "start of plugin %s was cancelled", c.name)
	case c.proc.startError() != nil:
		return shared.Errorf(shared.CodeUnavailable, "cannot start plugin %s: %v", c.name, c.proc.startError())
	case errors.As(err, &typed):
		return typed
	case strings.Contains(msg, "incompatible API version"):
		var theirs int
		_, _ = fmt.Sscanf(msg[strings.Index(msg, "Plugin version:"):], "Plugin version: %d", &theirs)
		return shared.Errorf(shared.CodeFailedPrecondition,
			"plugin %s speaks storage protocol version %d, this ksm speaks version %d; install matching versions of ksm and the plugin",
			c.name, theirs, shared.ProtocolVersion)
	case strings.Contains(msg, "incompatible core API version"):
		return shared.Errorf(shared.CodeFailedPrecondition, "plugin %s speaks another go-plugin core protocol; rebuild it with a current sdk", c.name)
	case strings.Contains(msg, "unsupported plugin protocol"):
		return shared.Errorf(shared.CodeFailedPrecondition, "plugin %s does not speak gRPC (the only protocol ksm accepts)", c.name)
	}
	if line, ok := strings.CutPrefix(msg, "Unrecognized remote plugin message: "); ok {
		line, _, _ = strings.Cut(line, "\n")
		if line != "" {
			return shared.Errorf(shared.CodeUnavailable,
				"plugin %s printed %q instead of the plugin handshake; is it a ksm storage plugin? (it must not write to stdout)",
				c.name, truncate(line, 60))
		}
	}
	if how := c.proc.ended(); how != "" {
		return shared.Errorf(shared.CodeUnavailable, "plugin %s exited during start-up (%s); its log has the details", c.name, how)
	}
	if strings.Contains(msg, "timeout while waiting for plugin to start") {
		return shared.Errorf(shared.CodeDeadlineExceeded, "plugin %s did not complete the handshake within %s", c.name, timeout)
	}
	return shared.Errorf(shared.CodeUnavailable, "plugin %s failed to start: %v", c.name, firstLine(msg))
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
