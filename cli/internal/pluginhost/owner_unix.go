//go:build unix

package pluginhost

import (
	"fmt"
	"io/fs"

	"github.com/ksm-cli/ksm/internal/ownership"
)

// checkOpenedFile checks the plugin file ksm opened, through its
// descriptor: what is checked here is what runs.
func checkOpenedFile(path string, fi fs.FileInfo) error {
	switch {
	case !fi.Mode().IsRegular():
		return fmt.Errorf("plugin %s is not a regular file", path)
	case fi.Mode().Perm()&0o111 == 0:
		return fmt.Errorf("plugin %s is not executable; run `chmod +x %s`", path, path)
	}
	return ownership.CheckOpened(path, fi)
}

// openFlags open a plugin without following a link in the last place (the
// path given is already resolved) and without blocking on a FIFO.
const openFlags = ownership.OpenFlags
