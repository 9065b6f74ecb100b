package filestore

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/ksm-cli/ksm/internal/atomicfile"
	"github.com/ksm-cli/ksm/sdk"
)

// Save writes the config with ksm's own keeper.ini writer (atomicfile):
// an exclusive lock on FILE.lock (opened without following links, and only
// if it is the user's), a temp file in the same directory, fsync, rename,
// mode 0600. A symbolic link is written through only if it and its target
// are the user's; a file its owner made read-only is never replaced. It
// refuses to replace a file that is not a ksm config unless Overwrite, and
// writes nowhere the ownership rule refuses (checkOwned).
func (*Store) Save(ctx context.Context, req *sdk.SaveRequest) (*sdk.SaveResponse, error) {
	path, err := settingsPath(req.Settings)
	if err != nil {
		return nil, err
	}
	if err := req.Config.Validate(); err != nil {
		return nil, sdk.Errorf(sdk.CodeInvalidArgument, "cannot save: %v", err)
	}
	// A new store file may need its directory (`--path ~/.ksm/prod.json`);
	// created owner-only, like the file.
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fileError("create the directory of", path, err)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, sdk.Errorf(sdk.CodeInvalidArgument, "%s is a directory", path)
	}
	// Checked before atomicfile, whose own refusals speak of keeper.ini.
	if err := checkOwned(path); err != nil {
		return nil, saveError(ctx, path, err)
	}
	data := append(sdk.MarshalConfig(req.Config), '\n')
	err = atomicfile.Update(ctx, path, func(old string, exists bool) ([]byte, error) {
		if exists && !req.Overwrite {
			if _, err := sdk.ParseConfig([]byte(old)); err != nil {
				return nil, sdk.Errorf(sdk.CodeAlreadyExists, "%s exists and does not hold a ksm config; refusing to replace it without overwrite", path)
			}
		}
		return data, nil
	})
	if err := saveError(ctx, path, err); err != nil {
		return nil, err
	}
	return &sdk.SaveResponse{}, nil
}

// saveError gives what atomicfile refused its store error code.
func saveError(ctx context.Context, path string, err error) error {
	var se *sdk.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		return se
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return sdk.Errorf(sdk.CodeDeadlineExceeded, "timed out waiting for the lock on %s: %v", path, err)
	case errors.Is(err, fs.ErrPermission):
		return sdk.Errorf(sdk.CodePermissionDenied, "%v", err)
	}
	return sdk.Errorf(sdk.CodeFailedPrecondition, "%v", err)
}
