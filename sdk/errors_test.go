package sdk

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestNewError(t *testing.T) {
	tests := []struct {
		name, msg, hint, want string
	}{
		{"hint after the message", "the token was refused", "run `login` again", "the token was refused; run `login` again"},
		{"no hint, no separator", "no config at /x", "", "no config at /x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := error(NewError(CodeUnauthenticated, tt.msg, tt.hint))
			if err.Error() != tt.want {
				t.Errorf("Error() = %q, want %q", err.Error(), tt.want)
			}
			wrapped := fmt.Errorf("load: %w", err)
			if CodeOf(wrapped) != CodeUnauthenticated || !errors.Is(wrapped, &Error{Code: CodeUnauthenticated}) {
				t.Errorf("code lost through wrapping: %v", CodeOf(wrapped))
			}
			if errors.Is(err, &Error{Code: CodeUnauthenticated, Hint: tt.hint + "x"}) {
				t.Error("errors.Is matched a target with another hint")
			}
		})
	}
}

func TestContextError(t *testing.T) {
	expired, cancel1 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel1()
	canceled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	// A deadline that passes while the ctx is also cancelled later still
	// reads as the deadline: ctx.Err() keeps its first cause.
	both, cancel3 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	cancel3()
	tests := []struct {
		name string
		ctx  context.Context
		code Code
		msg  string
	}{
		{"deadline passed", expired, CodeDeadlineExceeded, "timed out"},
		{"cancelled", canceled, CodeCanceled, "canceled"},
		{"deadline then cancel", both, CodeDeadlineExceeded, "timed out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ContextError(tt.ctx)
			if e == nil {
				t.Fatal("nil for a done ctx")
			}
			if e.Code != tt.code || e.Error() != tt.msg {
				t.Errorf("got %v %q, want %v %q", e.Code, e.Error(), tt.code, tt.msg)
			}
		})
	}
	if e := ContextError(context.Background()); e != nil {
		t.Errorf("ContextError of a live ctx = %v, want nil", e)
	}
}
