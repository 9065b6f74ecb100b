package filestore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/ksm-cli/ksm/internal/ownership"
	"github.com/ksm-cli/ksm/sdk"
)

// maxSize bounds what Load reads: a config is about 1 KiB.
const maxSize = 64 << 10

// Load reads the config file.
func (*Store) Load(ctx context.Context, req *sdk.LoadRequest) (*sdk.LoadResponse, error) {
	path, err := settingsPath(req.Settings)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	cfg, err := sdk.ParseConfig(data)
	if err != nil {
		return nil, notConfig(path, err)
	}
	return &sdk.LoadResponse{Config: cfg}, nil
}

// readFile reads a regular file of at most maxSize bytes that passes the
// ownership rule: the path is checked, then opened once (without blocking
// on a FIFO), and what is read is checked again through the descriptor.
func readFile(path string) ([]byte, error) {
	if err := checkOwned(path); err != nil {
		var se *sdk.Error
		if errors.As(err, &se) {
			return nil, se
		}
		return nil, fileError("read", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, fileError("read", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fileError("read", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, sdk.Errorf(sdk.CodeInvalidArgument, "%s is not a regular file", path)
	}
	if err := ownership.CheckOpened(path, fi); err != nil {
		return nil, ownershipError(err)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSize+1))
	if err != nil {
		return nil, fileError("read", path, err)
	}
	if len(data) > maxSize {
		return nil, notConfig(path, fmt.Errorf("larger than %d KiB", maxSize>>10))
	}
	return data, nil
}

// notConfig never quotes the file: it may hold a secret.
func notConfig(path string, why error) error {
	return sdk.Errorf(sdk.CodeInvalidArgument, "%s does not hold a ksm config (SDK JSON or base64 of it): %v", path, why)
}

// fileError gives an os error its code, naming the path and the operation.
func fileError(op, path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if op == "read" {
			return sdk.Errorf(sdk.CodeNotFound, "config file %s does not exist", path)
		}
		return sdk.Errorf(sdk.CodeNotFound, "cannot %s %s: its directory does not exist", op, path)
	case errors.Is(err, fs.ErrPermission):
		return sdk.Errorf(sdk.CodePermissionDenied, "cannot %s %s: permission denied", op, path)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return sdk.Errorf(sdk.CodeUnavailable, "cannot %s %s: %v", op, path, err)
}
