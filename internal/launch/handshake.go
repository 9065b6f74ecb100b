package launch

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"sync"

	plugin "github.com/hashicorp/go-plugin"
)

// maxHandshake bounds what is kept of the plugin's first stdout line.
const maxHandshake = 4 << 10

// handshakeTap passes the plugin's stdout to go-plugin and keeps its first
// line: why a start failed is read from the handshake the plugin sent (a
// documented protocol), not from go-plugin's error text, which has no
// types and may be reworded in any release.
type handshakeTap struct {
	r io.ReadCloser

	mu   sync.Mutex
	buf  bytes.Buffer
	done bool // the first line is complete (or stdout ended)
}

func (t *handshakeTap) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.mu.Lock()
	if !t.done {
		chunk := p[:n]
		if i := bytes.IndexByte(chunk, '\n'); i >= 0 {
			chunk, t.done = chunk[:i], true
		}
		if room := maxHandshake - t.buf.Len(); room > 0 {
			t.buf.Write(chunk[:min(len(chunk), room)])
		}
		if err != nil {
			t.done = true
		}
	}
	t.mu.Unlock()
	return n, err
}

func (t *handshakeTap) Close() error { return t.r.Close() }

// line is the first line, once it is complete ("", false before).
func (t *handshakeTap) line() (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(t.buf.String()), t.done
}

// handshake is the parsed go-plugin handshake line:
// CORE-VERSION|APP-VERSION|NETWORK|ADDR|PROTOCOL[|...].
type handshake struct {
	core, app         int
	network, protocol string
}

// parseHandshake reads a line; ok is false for a line that is not a
// handshake at all (fewer than 4 fields, or versions that are not numbers).
func parseHandshake(line string) (h handshake, ok bool) {
	parts := strings.Split(line, "|")
	if len(parts) < 4 {
		return h, false
	}
	var err1, err2 error
	h.core, err1 = strconv.Atoi(parts[0])
	h.app, err2 = strconv.Atoi(parts[1])
	h.network = parts[2]
	h.protocol = string(plugin.ProtocolNetRPC) // go-plugin's default when absent
	if len(parts) > 4 {
		h.protocol = parts[4]
	}
	return h, err1 == nil && err2 == nil
}
