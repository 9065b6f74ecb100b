package conformance

import (
	"strings"
	"testing"
)

func TestParseHandshake(t *testing.T) {
	const dir = "/tmp/ksm-check-1"
	tests := []struct {
		line, want string // want: the socket, or a part of the error
		ok         bool
	}{
		{"1|1|unix|/tmp/ksm-check-1/plugin.sock|grpc|", "/tmp/ksm-check-1/plugin.sock", true},
		{"1|1|unix|/tmp/ksm-check-1/sub/plugin.sock|grpc|", "/tmp/ksm-check-1/sub/plugin.sock", true},
		{"1|1|unix|/tmp/ksm-check-1/plugin.sock|grpc", "/tmp/ksm-check-1/plugin.sock", true},
		{"1|1|tcp|127.0.0.1:1234|grpc|", "ksm accepts only a unix socket", false},
		{"1|1|unix|/tmp/elsewhere/plugin.sock|grpc|", "is not inside PLUGIN_UNIX_SOCKET_DIR", false},
		{"1|1|unix|/tmp/ksm-check-1/../x/plugin.sock|grpc|", "is not inside PLUGIN_UNIX_SOCKET_DIR", false},
		{"1|1|unix|/tmp/ksm-check-10/plugin.sock|grpc|", "is not inside PLUGIN_UNIX_SOCKET_DIR", false},
		{"1|2|unix|/tmp/ksm-check-1/plugin.sock|grpc|", "protocol version \"2\", want 1", false},
		{"2|1|unix|/tmp/ksm-check-1/plugin.sock|grpc|", "core version", false},
		{"1|1|unix|/tmp/ksm-check-1/plugin.sock|netrpc|", `protocol "netrpc", want grpc`, false},
		{"1|1|unix|/tmp/ksm-check-1/plugin.sock|grpc|MIIB", "TLS certificate", false},
		{"hello world", "want 1|1|unix|<socket>|grpc|", false},
		{"", "fields", false},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got, err := parseHandshake(tt.line, dir)
			switch {
			case tt.ok && (err != nil || got != tt.want):
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			case !tt.ok && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %q, %v; want an error containing %q", got, err, tt.want)
			}
		})
	}
}
