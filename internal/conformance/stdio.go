package conformance

import (
	"bytes"
	"context"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/encoding/protowire"
)

// stdoutMarker is written into a plugin's stdout after the calls of
// NothingOnStdout: what the plugin wrote before it arrives before it.
var stdoutMarker = []byte("\x00ksm-conformance-stdout-barrier\x00")

// sink collects one stdout channel of a plugin and tells when the marker
// has come through it.
type sink struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	marked chan struct{} // closed once buf holds the marker
	once   sync.Once
}

func newSink() *sink { return &sink{marked: make(chan struct{})} }

func (s *sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.Write(p)
	if bytes.Contains(s.buf.Bytes(), stdoutMarker) {
		s.once.Do(func() { close(s.marked) })
	}
	return len(p), nil
}

// bytes is what came through, the marker left out.
func (s *sink) bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.ReplaceAll(bytes.Clone(s.buf.Bytes()), stdoutMarker, nil)
}

// streamStdio subscribes to go-plugin's stdio stream (plugin.GRPCStdio,
// served by plugins built on go-plugin: there os.Stdout is a pipe the
// plugin forwards over gRPC, not its file descriptor 1) and copies its
// stdout channel into out until the stream ends; done is closed then. A
// plugin that does not serve it (another language) ends it at once.
func streamStdio(conn *grpc.ClientConn, out *sink) (stop func(), done <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan struct{})
	go func() {
		defer close(ch)
		stream, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, "/plugin.GRPCStdio/StreamStdio", grpc.ForceCodec(rawCodec{}))
		if err != nil {
			return
		}
		if stream.SendMsg(&rawMessage{}) != nil || stream.CloseSend() != nil {
			return
		}
		for {
			var m rawMessage
			if stream.RecvMsg(&m) != nil {
				return
			}
			if channel, data := stdioData(m); channel == stdioStdout {
				_, _ = out.Write(data)
			}
		}
	}()
	return cancel, ch
}

// go-plugin's StdioData: channel (1, enum: 1 stdout, 2 stderr), data (2).
const stdioStdout = 1

func stdioData(m rawMessage) (channel protowire.Number, data []byte) {
	b := []byte(m)
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return 0, nil
		}
		b = b[n:]
		switch {
		case num == 1 && typ == protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return 0, nil
			}
			channel, b = protowire.Number(v), b[n:]
		case num == 2 && typ == protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return 0, nil
			}
			data, b = v, b[n:]
		default:
			n := protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return 0, nil
			}
			b = b[n:]
		}
	}
	return channel, data
}

// rawMessage is a message's wire bytes: go-plugin's stdio types live in
// an internal package, and two fields are read by hand.
type rawMessage []byte

type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return *(v.(*rawMessage)), nil }
func (rawCodec) Unmarshal(data []byte, v any) error {
	*(v.(*rawMessage)) = bytes.Clone(data)
	return nil
}
func (rawCodec) Name() string { return "proto" }
