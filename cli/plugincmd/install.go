package plugincmd

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/internal/atomicfile"
	"github.com/ksm-cli/ksm/shared"
)

// maxPluginSize bounds what install copies (ours are about 20 MB).
const maxPluginSize = 512 << 20

func newInstallCommand(f *cmdutil.Factory) *cli.Command {
	return &cli.Command{
		Name:      "install",
		Usage:     "Install a storage plugin into your plugin directory and trust it",
		ArgsUsage: "PATH",
		Description: `Copies the plugin executable at PATH into your plugin directory
($XDG_CONFIG_HOME/ksm/plugins, created with mode 0700) under the name it
declares, ksm-storage-TYPE, replacing an older one atomically, and trusts
that copy (pins its SHA-256). ksm runs the plugin once to ask its type.

Example:
   ksm plugin install ./ksm-storage-vault`,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return cmdutil.Usagef("plugin install takes exactly one PATH to a plugin executable")
			}
			return runInstall(c.Context, f, c.Args().First())
		},
	}
}

func runInstall(ctx context.Context, f *cmdutil.Factory, src string) error {
	dir, err := f.UserPluginDir()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create the plugin directory %s: %w", dir, atomicfile.Cause(err))
	}
	// Everything below works on our private copy, never on src again: a
	// file swapped after the check cannot be what gets installed.
	tmp, sum, err := copyExecutable(dir, src)
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // after a successful rename there is nothing left
	h := f.PluginHost()
	desc, err := h.DescribeFile(ctx, tmp)
	if err != nil {
		return fmt.Errorf("%q is not a usable ksm storage plugin: %w", src, err)
	}
	name := shared.BinaryPrefix + desc.Name
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	dest := filepath.Join(dir, name)
	// Refuse before replacing anything when ksm would not use this copy.
	if !inDirs(h.Dirs, dir) {
		return fmt.Errorf("KSM_PLUGIN_PATH is set and does not include %s, so ksm would not find the plugin there; add it to KSM_PLUGIN_PATH or unset it", dir)
	}
	if used, err := h.Find(desc.Name); err == nil && !samePath(used.Path, dest) {
		return fmt.Errorf("ksm would not use a %s plugin installed in %s: %s provides that store and comes first; remove that one, or set KSM_PLUGIN_PATH", desc.Name, dir, used.Path)
	}
	if err := os.Rename(tmp, dest); err != nil {
		return fmt.Errorf("cannot install %s: %w", dest, atomicfile.Cause(err))
	}
	rec, p, err := h.TrustPlugin(ctx, desc.Name)
	if err != nil {
		return err
	}
	if !samePath(p.Path, dest) || rec.SHA256 != sum {
		os.Remove(dest)
		return fmt.Errorf("%s changed while it was being installed; it was removed, install it again", dest)
	}
	fmt.Fprintf(f.IO.ErrOut, "Installed the %s store plugin %s at %s and trusted it (sha256 %s).\n", desc.Name, desc.Version, dest, sum[:12])
	return nil
}

// copyExecutable copies the regular file src into a new temp file in dir
// with mode 0755 and returns its path and SHA-256.
func copyExecutable(dir, src string) (tmp, sum string, err error) {
	// O_NONBLOCK: a FIFO put in the file's place must not hang the open.
	in, err := os.OpenFile(src, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return "", "", fmt.Errorf("cannot read plugin %q: %w", src, atomicfile.Cause(err))
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return "", "", fmt.Errorf("cannot read plugin %q: %w", src, atomicfile.Cause(err))
	}
	if !fi.Mode().IsRegular() {
		return "", "", fmt.Errorf("%q is not a regular file; give the path of a plugin executable", src)
	}
	if fi.Size() > maxPluginSize {
		return "", "", fmt.Errorf("%q is larger than %d MiB, which no ksm plugin is", src, maxPluginSize>>20)
	}
	out, err := os.CreateTemp(dir, ".install-*")
	if err != nil {
		return "", "", fmt.Errorf("cannot write in the plugin directory %s: %w", dir, atomicfile.Cause(err))
	}
	defer func() {
		if err != nil {
			out.Close()
			os.Remove(out.Name())
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), io.LimitReader(in, maxPluginSize+1))
	switch {
	case err != nil:
		return "", "", fmt.Errorf("cannot copy plugin %q: %w", src, atomicfile.Cause(err))
	case n > maxPluginSize:
		return "", "", fmt.Errorf("%q is larger than %d MiB, which no ksm plugin is", src, maxPluginSize>>20)
	}
	if err = out.Chmod(0o755); err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", "", fmt.Errorf("cannot write in the plugin directory %s: %w", dir, atomicfile.Cause(err))
	}
	return out.Name(), hex.EncodeToString(h.Sum(nil)), nil
}

func samePath(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	if errA != nil || errB != nil {
		return filepath.Clean(a) == filepath.Clean(b)
	}
	return os.SameFile(fa, fb)
}

func inDirs(dirs []string, dir string) bool {
	for _, d := range dirs {
		if samePath(d, dir) {
			return true
		}
	}
	return false
}
