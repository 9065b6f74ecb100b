package wire

import (
	"google.golang.org/grpc/codes"

	"github.com/ksm-cli/ksm/shared"
)

// grpcCodes is the one-to-one mapping between Code and gRPC status codes.
var grpcCodes = map[shared.Code]codes.Code{
	shared.CodeUnknown:            codes.Unknown,
	shared.CodeInvalidArgument:    codes.InvalidArgument,
	shared.CodeNotFound:           codes.NotFound,
	shared.CodeAlreadyExists:      codes.AlreadyExists,
	shared.CodePermissionDenied:   codes.PermissionDenied,
	shared.CodeUnauthenticated:    codes.Unauthenticated,
	shared.CodeUnavailable:        codes.Unavailable,
	shared.CodeDeadlineExceeded:   codes.DeadlineExceeded,
	shared.CodeUnimplemented:      codes.Unimplemented,
	shared.CodeFailedPrecondition: codes.FailedPrecondition,
	shared.CodeCanceled:           codes.Canceled,
}

// grpcCode returns the gRPC status code that carries c.
func grpcCode(c shared.Code) codes.Code {
	if g, ok := grpcCodes[c]; ok {
		return g
	}
	return codes.Unknown
}

// codeFromGRPC returns the Code a gRPC status code stands for; codes with
// no counterpart (Internal, DataLoss, ...) give shared.CodeUnknown.
func codeFromGRPC(g codes.Code) shared.Code {
	for c, gc := range grpcCodes {
		if gc == g {
			return c
		}
	}
	return shared.CodeUnknown
}
