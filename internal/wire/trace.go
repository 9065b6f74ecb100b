package wire

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/ksm-cli/ksm/shared"
)

type statusTraceKey struct{}

// WithStatusTrace returns a ctx under which every call of the host's Store
// that fails hands fn the plugin's raw gRPC status (method as "describe",
// "validate", "load" or "save") before it is decoded: `ksm plugin check`
// sees there whether the plugin marked its errors with the StoreError
// detail, which the decoded error no longer tells.
func WithStatusTrace(ctx context.Context, fn func(method string, st *status.Status)) context.Context {
	return context.WithValue(ctx, statusTraceKey{}, fn)
}

func traceStatus(ctx context.Context, method string, err error) {
	fn, _ := ctx.Value(statusTraceKey{}).(func(string, *status.Status))
	if fn == nil {
		return
	}
	if st, ok := status.FromError(err); ok {
		fn(method, st)
	}
}

// HasStoreErrorDetail reports whether st carries the StoreError detail
// that marks an error as the store's own answer.
func HasStoreErrorDetail(st *status.Status) bool { return fromStore(st) }

// probeMethod is a method no plugin serves: a running gRPC server answers
// it Unimplemented, whatever language it is written in.
const probeMethod = "/ksm.storage.v1.StorageService/KsmProbeNotServed"

// probeTimeout bounds the probe; a running plugin answers at once.
const probeTimeout = time.Second

// running reports whether the plugin behind conn still serves calls.
func running(conn grpc.ClientConnInterface) bool {
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	err := conn.Invoke(ctx, probeMethod, &emptypb.Empty{}, &emptypb.Empty{})
	return status.Code(err) == codes.Unimplemented
}

// decode is fromStatus, except that an UNAVAILABLE without the StoreError
// detail (which fromStatus reads as the plugin gone) is first checked
// against the plugin: a plugin that still runs answered it itself, without
// the detail (a store written without the sdk, whose service is down).
func (c *grpcClient) decode(ctx context.Context, method string, err error) error {
	traceStatus(ctx, method, err)
	st, ok := status.FromError(err)
	if ok && ctx.Err() == nil && st.Code() == codes.Unavailable && !fromStore(st) && c.conn != nil && running(c.conn) {
		return unmarkedUnavailable(st)
	}
	return fromStatus(ctx, method, err)
}

func unmarkedUnavailable(st *status.Status) error {
	return &shared.Error{Code: shared.CodeUnavailable, Message: fmt.Sprintf("the plugin is running, but its answer lacks the StoreError detail ksm needs; its message: %s", st.Message())}
}
