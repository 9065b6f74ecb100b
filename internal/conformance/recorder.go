package conformance

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"unicode/utf8"

	"google.golang.org/grpc/status"

	"github.com/ksm-cli/ksm/internal/wire"
	"github.com/ksm-cli/ksm/shared"
)

// recorder is the main plugin's Store, keeping every error it returned for
// the ErrorsAreOneLine check.
type recorder struct {
	shared.Store
	mu   sync.Mutex
	errs []callError
	raw  []rawStatus
}

// rawStatus is an error status as the plugin sent it, before ksm decoded it.
type rawStatus struct {
	method string
	st     *status.Status
}

// trace makes the calls under ctx record the plugin's raw error statuses.
func (r *recorder) trace(ctx context.Context) context.Context {
	return wire.WithStatusTrace(ctx, func(method string, st *status.Status) {
		r.mu.Lock()
		r.raw = append(r.raw, rawStatus{method, st})
		r.mu.Unlock()
	})
}

func (r *recorder) statuses() []rawStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]rawStatus(nil), r.raw...)
}

type callError struct {
	method string
	err    error
}

func (r *recorder) note(method string, err error) {
	if err != nil {
		r.mu.Lock()
		r.errs = append(r.errs, callError{method, err})
		r.mu.Unlock()
	}
}

func (r *recorder) errors() []callError {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]callError(nil), r.errs...)
}

// The recorder's calls take and return what the checks compare (the
// contract's request and response structs are unwrapped here, once).

func (r *recorder) Describe(ctx context.Context) (*shared.Description, error) {
	resp, err := r.Store.Describe(r.trace(ctx), &shared.DescribeRequest{})
	r.note("describe", err)
	if err != nil {
		return nil, err
	}
	return &resp.Description, nil
}

func (r *recorder) Validate(ctx context.Context, o map[string]string) (shared.Settings, error) {
	resp, err := r.Store.Validate(r.trace(ctx), &shared.ValidateRequest{Options: o})
	r.note("validate", err)
	if err != nil {
		return nil, err
	}
	return resp.Settings, nil
}

func (r *recorder) Load(ctx context.Context, s shared.Settings) (shared.Config, error) {
	resp, err := r.Store.Load(r.trace(ctx), &shared.LoadRequest{Settings: s})
	r.note("load", err)
	if err != nil {
		return nil, err
	}
	return resp.Config, nil
}

func (r *recorder) Save(ctx context.Context, req shared.SaveRequest) error {
	_, err := r.Store.Save(r.trace(ctx), &req)
	r.note("save", err)
	return err
}

// withWorkingDir sends wd as ValidateRequest.WorkingDir, as ksm sends its
// own working directory: the plugin runs in "/" (every launch does), and
// a relative path among the options means a path below wd.
type withWorkingDir struct {
	shared.Store
	wd string
}

func (w withWorkingDir) Validate(ctx context.Context, req *shared.ValidateRequest) (*shared.ValidateResponse, error) {
	if req.WorkingDir == "" {
		r := *req
		r.WorkingDir = w.wd
		req = &r
	}
	return w.Store.Validate(ctx, req)
}

// workingDir is what the suite sends as ksm's working directory: Dir, or
// this process's own when Dir is empty; empty when neither is a valid
// absolute UTF-8 path.
func (s *Suite) workingDir() string {
	wd := s.cfg.Dir
	if wd == "" {
		wd, _ = os.Getwd()
	}
	wd, err := filepath.Abs(wd)
	if err != nil || !utf8.ValidString(wd) {
		return ""
	}
	return wd
}
