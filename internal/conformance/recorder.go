package conformance

import (
	"context"
	"sync"

	"github.com/ksm-cli/ksm/shared"
)

// recorder is the main plugin's Store, keeping every error it returned for
// the ErrorsAreOneLine check.
type recorder struct {
	shared.Store
	mu   sync.Mutex
	errs []callError
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

func (r *recorder) Describe(ctx context.Context) (*shared.Description, error) {
	d, err := r.Store.Describe(ctx)
	r.note("describe", err)
	return d, err
}

func (r *recorder) Validate(ctx context.Context, o map[string]string) (shared.Settings, error) {
	s, err := r.Store.Validate(ctx, o)
	r.note("validate", err)
	return s, err
}

func (r *recorder) Load(ctx context.Context, s shared.Settings) (shared.Config, error) {
	c, err := r.Store.Load(ctx, s)
	r.note("load", err)
	return c, err
}

func (r *recorder) Save(ctx context.Context, req shared.SaveRequest) error {
	err := r.Store.Save(ctx, req)
	r.note("save", err)
	return err
}
