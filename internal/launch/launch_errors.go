package launch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	plugin "github.com/hashicorp/go-plugin"

	"github.com/ksm-cli/ksm/shared"
)

// ExitError is a plugin that exited by itself during start-up; its own log
// (--debug) says why.
type ExitError struct {
	Err *shared.Error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// startError turns a failed start into one clear *shared.Error. It decides
// on what it can see (the ctx, the process, the handshake line the plugin
// sent), never on go-plugin's error text; that text is only quoted, as a
// last resort.
func (c *Conn) startError(ctx context.Context, timeout, waited time.Duration, err error) error {
	var typed *shared.Error
	line, complete := c.proc.handshake.line()
	hs, isHandshake := parseHandshake(line)
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return shared.Errorf(shared.CodeDeadlineExceeded, "plugin %s did not start before the deadline", c.name)
	case ctx.Err() != nil:
		return shared.Errorf(shared.CodeCanceled, "start of plugin %s was cancelled", c.name)
	case c.proc.startError() != nil:
		return shared.Errorf(shared.CodeUnavailable, "cannot start plugin %s: %v", c.name, c.proc.startError())
	case errors.As(err, &typed):
		return typed
	case complete && line != "" && !isHandshake:
		return shared.Errorf(shared.CodeUnavailable,
			"plugin %s printed %q instead of the plugin handshake; is it a ksm storage plugin? (it must not write to stdout)",
			c.name, truncate(line, 60))
	case isHandshake && hs.core != plugin.CoreProtocolVersion:
		return shared.Errorf(shared.CodeFailedPrecondition, "plugin %s speaks another go-plugin core protocol; rebuild it with a current sdk", c.name)
	case isHandshake && hs.app != shared.ProtocolVersion:
		return shared.Errorf(shared.CodeFailedPrecondition,
			"plugin %s speaks storage protocol version %d, this ksm speaks version %d; install matching versions of ksm and the plugin",
			c.name, hs.app, shared.ProtocolVersion)
	case isHandshake && hs.protocol != string(plugin.ProtocolGRPC):
		return shared.Errorf(shared.CodeFailedPrecondition, "plugin %s does not speak gRPC (the only protocol ksm accepts)", c.name)
	}
	if how := c.proc.ended(); how != "" {
		return &ExitError{&shared.Error{Code: shared.CodeUnavailable,
			Message: fmt.Sprintf("plugin %s exited during start-up (%s); its log has the details", c.name, how)}}
	}
	if line == "" && waited >= timeout {
		// No handshake for the whole StartTimeout (go-plugin then kills it).
		return shared.Errorf(shared.CodeDeadlineExceeded, "plugin %s did not complete the handshake within %s", c.name, timeout)
	}
	return shared.Errorf(shared.CodeUnavailable, "plugin %s failed to start: %v", c.name, firstLine(err.Error()))
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
