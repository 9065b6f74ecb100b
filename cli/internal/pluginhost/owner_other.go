//go:build !unix

package pluginhost

import (
	"fmt"
	"io/fs"

	"github.com/ksm-cli/ksm/internal/ownership"
)

func checkOpenedFile(path string, fi fs.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("plugin %s is not a regular file", path)
	}
	return nil
}

const openFlags = ownership.OpenFlags
