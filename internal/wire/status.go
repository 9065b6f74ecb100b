package wire

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	storagev1 "github.com/ksm-cli/ksm/shared/proto/storage/v1"

	"github.com/ksm-cli/ksm/shared"
)

// MaxMessageSize bounds every message between ksm and a plugin in both
// directions (gRPC's default receive limit); a config is about 1 KiB.
const MaxMessageSize = 4 << 20

// toStatus turns a store's error into the gRPC status sent to the host. The
// StoreError detail marks it as the store's own answer; a bare expired
// context is not one (the call's deadline passed, whatever the store was
// doing), so the host words it the same however the race between the two
// ends of the call goes. A store that explains its own timeout returns an
// *shared.Error with CodeDeadlineExceeded, and keeps its words. The
// message is Error(): "message; hint", so that every host (this one or an
// older one, which knows no hint) prints the hint once, after the message.
func toStatus(err error) error {
	code, msg, own := shared.CodeUnknown, err.Error(), true
	var e *shared.Error
	switch {
	case errors.As(err, &e):
		code, msg = e.Code, e.Error()
	case errors.Is(err, context.DeadlineExceeded):
		code, own = shared.CodeDeadlineExceeded, false
	case errors.Is(err, context.Canceled):
		code = shared.CodeCanceled
	}
	st := status.New(grpcCode(code), msg)
	if !own {
		return st.Err()
	}
	if withDetail, derr := st.WithDetails(&storagev1.StoreError{}); derr == nil {
		st = withDetail
	}
	return st.Err()
}

// fromStatus turns the error of a call to the plugin into an *Error. ctx is
// the caller's, so that its own deadline or cancellation is named as such
// rather than blamed on the plugin.
func fromStatus(ctx context.Context, method string, err error) error {
	st, ok := status.FromError(err)
	if !ok {
		return &shared.Error{Code: shared.CodeUnknown, Message: fmt.Sprintf("%s: %v", method, err)}
	}
	// The plugin's ctx carries our deadline and may see it pass a moment
	// before ours does. A store that gave up before the deadline and said
	// why (a keyring waiting on its unlock prompt) is heard out.
	_, hasDeadline := ctx.Deadline()
	ctxErr := ctx.Err()
	switch {
	case errors.Is(ctxErr, context.DeadlineExceeded), hasDeadline && st.Code() == codes.DeadlineExceeded && !fromStore(st):
		return &shared.Error{Code: shared.CodeDeadlineExceeded, Message: fmt.Sprintf("the plugin did not answer %s before the deadline", method)}
	case ctxErr != nil:
		return &shared.Error{Code: shared.CodeCanceled, Message: fmt.Sprintf("%s was cancelled", method)}
	}
	if fromStore(st) {
		return &shared.Error{Code: codeFromGRPC(st.Code()), Message: st.Message()}
	}
	// Without the StoreError mark the status came from gRPC itself (or from
	// a plugin not written with the sdk).
	switch st.Code() {
	case codes.Unavailable:
		return &shared.Error{Code: shared.CodeUnavailable, Message: fmt.Sprintf("lost the connection to the plugin during %s; it exited or crashed (%s)", method, st.Message())}
	case codes.Canceled:
		return &shared.Error{Code: shared.CodeUnavailable, Message: fmt.Sprintf("%s: the connection to the plugin is closed", method)}
	case codes.ResourceExhausted:
		return &shared.Error{Code: shared.CodeInvalidArgument, Message: fmt.Sprintf("%s: message exceeds the plugin protocol's %d MiB limit (%s)", method, MaxMessageSize>>20, st.Message())}
	case codes.Internal, codes.DataLoss, codes.Unknown:
		return &shared.Error{Code: shared.CodeUnknown, Message: fmt.Sprintf("%s: plugin protocol error: %s", method, st.Message())}
	}
	return &shared.Error{Code: codeFromGRPC(st.Code()), Message: st.Message()}
}

func fromStore(st *status.Status) bool {
	for _, d := range st.Details() {
		if _, ok := d.(*storagev1.StoreError); ok {
			return true
		}
	}
	return false
}
