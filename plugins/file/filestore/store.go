// Package filestore is the file storage for ksm profiles: the client config
// lives in a file of its own (SDK JSON or base64 of it), such as a secret
// mounted at /run/secrets/ksm-config.
package filestore

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/ksm-cli/ksm/sdk"
	"github.com/ksm-cli/ksm/shared"
)

// Store implements shared.Store on a file.
type Store struct{ version string }

var _ shared.Store = (*Store)(nil)

// New returns the file store; version is what Describe reports.
func New(version string) *Store { return &Store{version: version} }

var setupOptions = []shared.Option{
	sdk.String("path", "file holding the client config (SDK JSON or base64 of it); an absolute path is best", sdk.Required()),
}

// Describe is static.
func (s *Store) Describe(_ context.Context, _ *shared.DescribeRequest) (*shared.DescribeResponse, error) {
	return &shared.DescribeResponse{Description: shared.Description{
		Name:            "file",
		Version:         s.version,
		ProtocolVersion: shared.ProtocolVersion,
		Summary:         "a file of its own, e.g. a Kubernetes or Docker secret mounted at /run/secrets/ksm-config",
		Options:         setupOptions,
		CanSave:         true,
	}}, nil
}

// Validate makes the path absolute (relative to where ksm runs, `~/`
// meaning the home directory). The file need not exist yet: Save may
// create it.
func (*Store) Validate(_ context.Context, req *shared.ValidateRequest) (*shared.ValidateResponse, error) {
	options := req.Options
	values, err := sdk.Parse(setupOptions, options)
	if err != nil {
		return nil, err
	}
	path, err := absolute(values.String("path"))
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, shared.Errorf(shared.CodeInvalidArgument, "--path %s is a directory; give the config file's path", path)
	}
	return &shared.ValidateResponse{Settings: shared.Settings{"path": path}}, nil
}

func absolute(path string) (string, error) {
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", shared.Errorf(shared.CodeInvalidArgument, "--path %s: cannot find the home directory: %v", path, err)
		}
		path = filepath.Join(home, rest)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", shared.Errorf(shared.CodeInvalidArgument, "--path %s: %v", path, err)
	}
	return abs, nil
}

// settingsPath is the path a profile's settings point at.
func settingsPath(settings shared.Settings) (string, error) {
	path := settings["path"]
	switch {
	case path == "":
		return "", shared.Errorf(shared.CodeInvalidArgument, "the profile has no path setting; run `ksm profile setup --type=file --path=FILE` again")
	case !filepath.IsAbs(path):
		return "", shared.Errorf(shared.CodeInvalidArgument, "the profile's path %q is not absolute; run `ksm profile setup --type=file --path=FILE` again", path)
	}
	return filepath.Clean(path), nil
}
