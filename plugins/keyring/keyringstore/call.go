package keyringstore

import (
	"context"
	"errors"
	"time"

	"github.com/ksm-cli/ksm/sdk"
)

// The keyring library takes no context, and a locked keyring answers
// only once its unlock prompt is answered, which may be never. Each call
// runs aside and the store stops waiting at the deadline; the plugin
// process ends with the command, taking an abandoned call with it.
func (s *Store) do(ctx context.Context, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return deadlineError(err)
	}
	if why := sessionBus(s.getenv); why != "" {
		return noKeyringError(why)
	}
	// Give up a little before the host does, so that it gets this store's
	// explanation rather than a bare "did not answer before the deadline".
	if deadline, ok := ctx.Deadline(); ok {
		margin := min(answerMargin, time.Until(deadline)/5)
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-margin))
		defer cancel()
	}
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return keyringError(err)
	case <-ctx.Done():
		return deadlineError(ctx.Err())
	}
}

// answerMargin is the most a call's deadline is shortened by: time for the
// answer to reach the host.
const answerMargin = 250 * time.Millisecond

func (s *Store) get(ctx context.Context, service, item string) (string, error) {
	var text string
	err := s.do(ctx, func() error {
		var err error
		text, err = s.kr.Get(service, item)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return "", notFoundError(service, item)
	}
	return text, err
}

func (s *Store) set(ctx context.Context, service, item, secret string) error {
	return s.do(ctx, func() error { return s.kr.Set(service, item, secret) })
}

func deadlineError(err error) error {
	if errors.Is(err, context.Canceled) {
		return sdk.Errorf(sdk.CodeCanceled, "canceled")
	}
	return sdk.Errorf(sdk.CodeDeadlineExceeded,
		"the OS keyring did not answer in time; it may be locked and waiting for its unlock prompt: unlock it (log in to the desktop session) and retry")
}

// headless is the one line for machines without a keyring.
const headless = "on a server or in a container keep the profile in a file or in AWS instead (ksm profile setup --type=file or --type=aws)"

func noKeyringError(why string) error {
	return sdk.Errorf(sdk.CodeFailedPrecondition, "no OS keyring: %s; %s", why, headless)
}

// keyringError gives the library's errors a code and one clear line,
// deciding by type (see dbuserrors.go); the message text is only shown.
func keyringError(err error) error {
	if err == nil || errors.Is(err, ErrNotFound) {
		return err
	}
	switch {
	case dbusErrorName(err) == dbusServiceUnknown:
		// D-Bus answers, but nothing provides the Secret Service.
		return noKeyringError("the D-Bus session has no Secret Service (GNOME Keyring or KWallet)")
	case unlockRefused(err):
		return sdk.Errorf(sdk.CodePermissionDenied, "the OS keyring is locked and was not unlocked (its prompt was dismissed or could not be shown); unlock it and retry")
	case busUnreachable(err):
		return sdk.Errorf(sdk.CodeFailedPrecondition, "cannot reach the Secret Service over D-Bus: %v; %s", err, headless)
	}
	return sdk.Errorf(sdk.CodeUnavailable, "OS keyring: %v", err)
}
