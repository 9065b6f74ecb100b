package launch

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ksm-cli/ksm/shared"
)

// startError decides on the handshake line the plugin sent, never on
// go-plugin's wording: the same line gives the same answer whatever
// go-plugin says, and a reworded message panics nothing.
func TestStartErrorIgnoresGoPluginWording(t *testing.T) {
	tests := []struct {
		name, stdout string
		waited       time.Duration
		code         shared.Code
		want         string
	}{
		{"newer storage protocol", "1|99|unix|/s|grpc\n", 0, shared.CodeFailedPrecondition, "speaks storage protocol version 99, this ksm speaks version 1"},
		{"other core protocol", "2|1|unix|/s|grpc\n", 0, shared.CodeFailedPrecondition, "another go-plugin core protocol"},
		{"net/rpc", "1|1|unix|/s|netrpc\n", 0, shared.CodeFailedPrecondition, "does not speak gRPC"},
		{"net/rpc by default", "1|1|unix|/s\n", 0, shared.CodeFailedPrecondition, "does not speak gRPC"},
		{"not a handshake", "hello\x1b[31m\n", 0, shared.CodeUnavailable, `printed "hello\x1b[31m" instead of the plugin handshake`},
		{"silent for the whole start timeout", "", time.Second, shared.CodeDeadlineExceeded, "did not complete the handshake within 1s"},
		{"nothing else known", "", 0, shared.CodeUnavailable, "failed to start: "},
	}
	for _, wording := range []string{
		"incompatible API version with plugin. Plugin version: 99, Client versions: [1]",
		"incompatible API version", // reworded: once made ksm panic
		"Plugin version:",
		"",
	} {
		for _, tt := range tests {
			t.Run(tt.name+"/"+wording, func(t *testing.T) {
				tap := &handshakeTap{r: io.NopCloser(strings.NewReader(tt.stdout))}
				_, _ = io.ReadAll(tap)
				c := &Conn{name: "ksm-storage-x", proc: &procRunner{handshake: tap}}
				err := c.startError(context.Background(), time.Second, tt.waited, errors.New(wording))
				if shared.CodeOf(err) != tt.code || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("got %v %q, want %v %q", shared.CodeOf(err), err, tt.code, tt.want)
				}
			})
		}
	}
}

// The tap passes everything through and keeps only the first line, bounded.
func TestHandshakeTap(t *testing.T) {
	long := strings.Repeat("x", 2*maxHandshake)
	tap := &handshakeTap{r: io.NopCloser(strings.NewReader(long + "\nsecond line\n"))}
	all, err := io.ReadAll(tap)
	if err != nil || string(all) != long+"\nsecond line\n" {
		t.Fatalf("passed through %d bytes, %v", len(all), err)
	}
	line, done := tap.line()
	if !done || len(line) != maxHandshake {
		t.Errorf("kept %d bytes (done %v), want %d", len(line), done, maxHandshake)
	}
}
