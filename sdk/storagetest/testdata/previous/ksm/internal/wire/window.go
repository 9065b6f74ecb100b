package wire

import "google.golang.org/grpc"

// flowWindow is the HTTP/2 flow-control window of the plugin connection.
// Setting it turns off gRPC's bandwidth estimation, which answers data
// with PING frames to size the window: on a local socket carrying a few
// small calls they are only extra writes and wake-ups on both sides. A
// whole message (MaxMessageSize) fits in the window.
const flowWindow = MaxMessageSize

// WindowDialOptions are the host's half of the fixed window.
func WindowDialOptions() []grpc.DialOption {
	return []grpc.DialOption{grpc.WithInitialWindowSize(flowWindow), grpc.WithInitialConnWindowSize(flowWindow)}
}

// WindowServerOptions are the plugin's half (see sdk.Serve).
func WindowServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{grpc.InitialWindowSize(flowWindow), grpc.InitialConnWindowSize(flowWindow)}
}
