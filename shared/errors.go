package shared

import (
	"errors"
	"fmt"
)

// Code classifies a store error; it maps one-to-one onto a gRPC status code.
type Code int

const (
	CodeUnknown Code = iota
	CodeInvalidArgument
	CodeNotFound
	CodeAlreadyExists
	CodePermissionDenied
	CodeUnauthenticated
	CodeUnavailable
	CodeDeadlineExceeded
	CodeUnimplemented
	CodeFailedPrecondition
	// CodeCanceled: the caller cancelled the call (e.g. Ctrl-C on the host).
	CodeCanceled
)

// Error is a store error with a code. Message says what failed, Hint (may
// be empty) what the user can do about it; neither may contain a secret.
type Error struct {
	Code    Code
	Message string
	Hint    string
}

// Error is "message; hint", or the message alone when there is no hint:
// the one line ksm prints (and sends over the wire).
func (e *Error) Error() string {
	if e.Hint == "" {
		return e.Message
	}
	return e.Message + "; " + e.Hint
}

// Is lets errors.Is match on the code alone: errors.Is(err, shared.ErrNotFound).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Hint == "" && t.Code == e.Code
}

// Sentinels for errors.Is.
var (
	ErrInvalidArgument    = &Error{Code: CodeInvalidArgument}
	ErrNotFound           = &Error{Code: CodeNotFound}
	ErrAlreadyExists      = &Error{Code: CodeAlreadyExists}
	ErrPermissionDenied   = &Error{Code: CodePermissionDenied}
	ErrUnauthenticated    = &Error{Code: CodeUnauthenticated}
	ErrUnavailable        = &Error{Code: CodeUnavailable}
	ErrDeadlineExceeded   = &Error{Code: CodeDeadlineExceeded}
	ErrUnimplemented      = &Error{Code: CodeUnimplemented}
	ErrFailedPrecondition = &Error{Code: CodeFailedPrecondition}
	ErrCanceled           = &Error{Code: CodeCanceled}
)

// Errorf builds an *Error with the given code.
func Errorf(code Code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of err, CodeUnknown if it carries none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeUnknown
}
