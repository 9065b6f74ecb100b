package pluginhost

import (
	"context"
	"fmt"
	"strings"

	"github.com/ksm-cli/ksm/shared"
)

// DescribeFile runs the plugin executable at path once, untrusted and
// under any file name, and returns its checked description: what `ksm
// plugin install` asks of a binary the user handed it before installing it
// under the name it declares.
func (h *Host) DescribeFile(ctx context.Context, path string) (*shared.Description, error) {
	s, err := h.start(ctx, Plugin{Type: "new", Path: path}, nil)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	desc, err := s.Store.Describe(ctx)
	if err != nil {
		return nil, Explain("new", "describe", err)
	}
	if err := desc.Check(desc.Name); err != nil {
		return nil, fmt.Errorf("its description is wrong: %s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	return desc, nil
}
