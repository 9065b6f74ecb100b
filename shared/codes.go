package shared

import "google.golang.org/grpc/codes"

// codeNames are lower-case, for messages.
var codeNames = map[Code]string{
	CodeUnknown:            "unknown",
	CodeInvalidArgument:    "invalid argument",
	CodeNotFound:           "not found",
	CodeAlreadyExists:      "already exists",
	CodePermissionDenied:   "permission denied",
	CodeUnauthenticated:    "unauthenticated",
	CodeUnavailable:        "unavailable",
	CodeDeadlineExceeded:   "deadline exceeded",
	CodeUnimplemented:      "unimplemented",
	CodeFailedPrecondition: "failed precondition",
	CodeCanceled:           "canceled",
}

func (c Code) String() string {
	if s, ok := codeNames[c]; ok {
		return s
	}
	return "unknown"
}

// grpcCodes is the one-to-one mapping between Code and gRPC status codes.
var grpcCodes = map[Code]codes.Code{
	CodeUnknown:            codes.Unknown,
	CodeInvalidArgument:    codes.InvalidArgument,
	CodeNotFound:           codes.NotFound,
	CodeAlreadyExists:      codes.AlreadyExists,
	CodePermissionDenied:   codes.PermissionDenied,
	CodeUnauthenticated:    codes.Unauthenticated,
	CodeUnavailable:        codes.Unavailable,
	CodeDeadlineExceeded:   codes.DeadlineExceeded,
	CodeUnimplemented:      codes.Unimplemented,
	CodeFailedPrecondition: codes.FailedPrecondition,
	CodeCanceled:           codes.Canceled,
}

// GRPCCode returns the gRPC status code that carries c.
func (c Code) GRPCCode() codes.Code {
	if g, ok := grpcCodes[c]; ok {
		return g
	}
	return codes.Unknown
}

// CodeFromGRPC returns the Code a gRPC status code stands for; codes with
// no counterpart (Internal, DataLoss, ...) give CodeUnknown.
func CodeFromGRPC(g codes.Code) Code {
	for c, gc := range grpcCodes {
		if gc == g {
			return c
		}
	}
	return CodeUnknown
}
