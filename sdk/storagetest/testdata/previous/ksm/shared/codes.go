package shared

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
