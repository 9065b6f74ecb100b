package pluginhost

import "fmt"

// Refusal kinds: the short status `ksm plugin list` shows.
const (
	KindNotTrusted = "not trusted"
	KindChanged    = "changed since trusted"
	KindNotBundled = "differs from the plugin built with ksm"
	KindUnsafe     = "unsafe ownership"
)

// RefusedError is why a plugin is not run: Kind in short, the message in
// full with what to do. It is an ErrUntrusted.
type RefusedError struct {
	Kind string
	msg  string
}

func refuse(kind, format string, args ...any) *RefusedError {
	return &RefusedError{Kind: kind, msg: fmt.Sprintf(format, args...)}
}

func (e *RefusedError) Error() string { return ErrUntrusted.Error() + ": " + e.msg }
func (e *RefusedError) Unwrap() error { return ErrUntrusted }
