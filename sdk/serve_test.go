package sdk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ksm-cli/ksm/internal/storecall"
	"github.com/ksm-cli/ksm/shared"
)

type namedStore struct {
	shared.Store
	name string
	err  error
}

func (s namedStore) Describe(context.Context, *shared.DescribeRequest) (*shared.DescribeResponse, error) {
	return &shared.DescribeResponse{Description: shared.Description{Name: s.name}}, s.err
}

func TestRunByHandMessage(t *testing.T) {
	tests := []struct {
		name   string
		binary string
		store  namedStore
		want   string
	}{
		{"from describe", "ksm-storage-vault", namedStore{name: "vault"}, `ksm-storage-vault is a ksm storage plugin (type "vault")`},
		{"describe fails", "ksm-storage-vault", namedStore{err: errors.New("x")}, "`ksm profile setup --type=vault`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			printRunByHand(&buf, tt.binary, tt.store)
			out := buf.String()
			if !strings.Contains(out, tt.want) || strings.Count(out, "\n") != 1 {
				t.Errorf("got %q, want one paragraph containing %q", out, tt.want)
			}
		})
	}
}

// Serve completes what the author leaves out, and keeps what they set.
func TestServedDescription(t *testing.T) {
	tests := []struct {
		name            string
		in              shared.Description
		version         string
		protocolVersion int
	}{
		{"filled", shared.Description{Name: "x"}, "v1.2.3", shared.ProtocolVersion},
		{"kept", shared.Description{Name: "x", Version: "2.0.0", ProtocolVersion: 7}, "2.0.0", 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			s := &served{Store: fixedStore{&in}, version: "v1.2.3"}
			got, err := storecall.Describe(context.Background(), s)
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != tt.version || got.ProtocolVersion != tt.protocolVersion {
				t.Errorf("got version %q protocol %d, want %q %d", got.Version, got.ProtocolVersion, tt.version, tt.protocolVersion)
			}
			if in.Version != tt.in.Version {
				t.Error("Describe changed the store's own description")
			}
		})
	}
}

type fixedStore struct{ d *shared.Description }

func (f fixedStore) Describe(context.Context, *shared.DescribeRequest) (*shared.DescribeResponse, error) {
	return &shared.DescribeResponse{Description: *f.d}, nil
}
func (fixedStore) Validate(context.Context, *shared.ValidateRequest) (*shared.ValidateResponse, error) {
	return &shared.ValidateResponse{}, nil
}
func (fixedStore) Load(context.Context, *shared.LoadRequest) (*shared.LoadResponse, error) {
	return &shared.LoadResponse{}, nil
}
func (fixedStore) Save(context.Context, *shared.SaveRequest) (*shared.SaveResponse, error) {
	return &shared.SaveResponse{}, nil
}

// drain waits for running calls, and no longer than it is told.
func TestDrain(t *testing.T) {
	entered := make(chan struct{})
	s := &served{Store: blockingStore{entered: entered}}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { _, _ = storecall.Load(ctx, s, nil) }()
	<-entered // the call is running
	start := time.Now()
	s.drain(50 * time.Millisecond)
	if took := time.Since(start); took < 50*time.Millisecond {
		t.Errorf("drain returned after %v with a call running", took)
	}
	cancel()
	done := make(chan struct{})
	go func() { s.drain(10 * time.Second); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Error("drain did not return once the call ended")
	}
}

// blockingStore's Load runs until its ctx ends.
type blockingStore struct {
	fixedStore
	entered chan struct{}
}

func (b blockingStore) Load(ctx context.Context, _ *shared.LoadRequest) (*shared.LoadResponse, error) {
	close(b.entered)
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestOneLine(t *testing.T) {
	tests := []struct {
		name string
		err  error
		code shared.Code
		msg  string
	}{
		{"plain text kept", shared.Errorf(shared.CodeNotFound, "no config at /x"), shared.CodeNotFound, "no config at /x"},
		{"line break", shared.Errorf(shared.CodeInvalidArgument, "bad:\nnext"), shared.CodeInvalidArgument, `bad:\nnext`},
		{"escape sequence", shared.Errorf(shared.CodeNotFound, "no \x1b[31mfile\x1b[0m"), shared.CodeNotFound, `no \x1b[31mfile\x1b[0m`},
		{"plain Go error", errors.New("a\rb"), shared.CodeUnknown, `a\rb`},
		{"deadline", fmt.Errorf("slow\n%w", context.DeadlineExceeded), shared.CodeDeadlineExceeded, `slow\ncontext deadline exceeded`},
		{"unicode kept", shared.Errorf(shared.CodeNotFound, "no café ☕"), shared.CodeNotFound, "no café ☕"},
		{"hint kept", &shared.Error{Code: shared.CodeNotFound, Message: "no \x1b[31mfile", Hint: "run setup"}, shared.CodeNotFound, `no \x1b[31mfile; run setup`},
		{"hint escaped", &shared.Error{Code: shared.CodeUnavailable, Message: "down", Hint: "try\nagain"}, shared.CodeUnavailable, `down; try\nagain`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := oneLine(tt.err)
			if shared.CodeOf(got) != tt.code && !(tt.code == shared.CodeDeadlineExceeded && errors.Is(got, context.DeadlineExceeded)) {
				t.Errorf("code %v, want %v", shared.CodeOf(got), tt.code)
			}
			if got.Error() != tt.msg {
				t.Errorf("message %q, want %q", got.Error(), tt.msg)
			}
		})
	}
	if oneLine(nil) != nil {
		t.Error("nil became an error")
	}
}
