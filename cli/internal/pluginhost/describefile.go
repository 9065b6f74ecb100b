package pluginhost

import (
	"context"
	"fmt"
	"strings"

	"github.com/ksm-cli/ksm/internal/setupflags"
	"github.com/ksm-cli/ksm/shared"
)

// DescribeFile runs the plugin executable at path once, untrusted and
// under any file name, and returns its checked description: what `ksm
// plugin install` asks of a binary the user handed it before installing it
// under the name it declares.
func (h *Host) DescribeFile(ctx context.Context, path string) (*shared.Description, error) {
	// Opened and run through one descriptor, as every plugin is; the
	// ownership rule holds for a file about to be installed too.
	f, _, err := openPlugin(path)
	if err != nil {
		return nil, err
	}
	v := &verified{plugin: Plugin{Type: "new", Path: path}, file: f}
	defer v.close()
	s, err := h.start(ctx, v, nil)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	cctx, cancel := s.callCtx(ctx) // --timeout: a plugin that never answers is not waited for
	defer cancel()
	resp, err := s.store.Describe(cctx, &shared.DescribeRequest{})
	if err != nil {
		return nil, Explain("new", "describe", err)
	}
	desc := &resp.Description
	if err := desc.Check(desc.Name, setupflags.ReservedNames()); err != nil {
		return nil, fmt.Errorf("its description is wrong: %s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	return desc, nil
}
