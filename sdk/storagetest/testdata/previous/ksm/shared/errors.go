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

// Error is a store error with a code. Message must never contain a secret.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return e.Message }

// Is lets errors.Is match on the code alone: errors.Is(err, shared.ErrNotFound).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Code == e.Code
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
