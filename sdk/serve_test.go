package sdk

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/shared"
)

type namedStore struct {
	shared.Store
	name string
	err  error
}

func (s namedStore) Describe(context.Context) (*shared.Description, error) {
	return &shared.Description{Name: s.name}, s.err
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
