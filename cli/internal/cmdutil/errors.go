// Package cmdutil holds what every ksm command shares: the Factory of its
// dependencies, and the error kinds that set the exit code.
package cmdutil

import "fmt"

// UsageError is a mistake in how a command was called (exit code 2).
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef returns a UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}
