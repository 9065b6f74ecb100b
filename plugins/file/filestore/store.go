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
)

// Store implements sdk.Store on a file.
type Store struct{ version string }

var _ sdk.Store = (*Store)(nil)

// Options configure a Store; the zero value is a working store.
type Options struct {
	// Version is what Describe reports (empty: the sdk reports the
	// module's version).
	Version string
}

// New returns the file store.
func New(o Options) *Store { return &Store{version: o.Version} }

var setupOptions = []sdk.Option{
	sdk.String("path", "file holding the client config (SDK JSON or base64 of it); an absolute path is best", sdk.Required()),
}

// Describe is static.
func (s *Store) Describe(_ context.Context, _ *sdk.DescribeRequest) (*sdk.DescribeResponse, error) {
	return &sdk.DescribeResponse{Description: sdk.Description{
		Name:    "file",
		Version: s.version,
		Summary: "a file of its own, e.g. a Kubernetes or Docker secret mounted at /run/secrets/ksm-config",
		Options: setupOptions,
		CanSave: true,
	}}, nil
}

// Validate makes the path absolute (relative to where ksm runs,
// req.WorkingDir, since the plugin itself runs in "/"; `~/` meaning the
// home directory) and applies the ownership rule to it. The
// file need not exist yet: Save may create it (and its directory).
func (*Store) Validate(_ context.Context, req *sdk.ValidateRequest) (*sdk.ValidateResponse, error) {
	values, err := sdk.Parse(setupOptions, req.Options)
	if err != nil {
		return nil, err
	}
	path, err := absolute(values.String("path"), req.WorkingDir)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, sdk.Errorf(sdk.CodeInvalidArgument, "--path %s is a directory; give the config file's path", path)
	}
	if _, err := os.Stat(filepath.Dir(path)); err == nil {
		if err := checkOwned(path); err != nil {
			return nil, err
		}
	}
	return &sdk.ValidateResponse{Settings: sdk.Settings{"path": path}}, nil
}

// absolute resolves path against wd, ksm's working directory, or against
// our own when ksm did not say (an older ksm) or said something that is not
// an absolute path.
func absolute(path, wd string) (string, error) {
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", sdk.Errorf(sdk.CodeInvalidArgument, "--path %s: cannot find the home directory: %v", path, err)
		}
		path = filepath.Join(home, rest)
	}
	if !filepath.IsAbs(path) && filepath.IsAbs(wd) {
		return filepath.Join(wd, path), nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", sdk.Errorf(sdk.CodeInvalidArgument, "--path %s: %v", path, err)
	}
	return abs, nil
}

// settingsPath is the path a profile's settings point at.
func settingsPath(settings sdk.Settings) (string, error) {
	path := settings["path"]
	switch {
	case path == "":
		return "", sdk.Errorf(sdk.CodeInvalidArgument, "the profile has no path setting; run `ksm profile setup --type=file --path=FILE` again")
	case !filepath.IsAbs(path):
		return "", sdk.Errorf(sdk.CodeInvalidArgument, "the profile's path %q is not absolute; run `ksm profile setup --type=file --path=FILE` again", path)
	}
	return filepath.Clean(path), nil
}
