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
	"github.com/ksm-cli/ksm/cli/internal/pluginhost"
	"github.com/ksm-cli/ksm/internal/atomicfile"
	"github.com/ksm-cli/ksm/internal/safetext"
	"github.com/ksm-cli/ksm/internal/scratch"
	"github.com/ksm-cli/ksm/shared"
)

// maxPluginSize bounds what install copies (ours are about 20 MB).
const maxPluginSize = 512 << 20

func newInstallCommand(f *cmdutil.Factory) *cli.Command {
	var force bool
	return &cli.Command{
		Name:      "install",
		Usage:     "Install a storage plugin into your plugin directory and trust it",
		ArgsUsage: "PATH",
		Description: `Copies the plugin executable at PATH into your plugin directory
($XDG_CONFIG_HOME/ksm/plugins, created with mode 0700) under the name it
declares, ksm-storage-TYPE, replacing an older one atomically, and trusts
that copy (pins its SHA-256). ksm runs the plugin once to ask its type
and version (bounded by --timeout), and says which version it replaced.
A plugin older than the trusted one it would replace is refused unless
--force is given.

Example:
   ksm plugin install ./ksm-storage-vault`,
		Flags: []cli.Flag{&cli.BoolFlag{Name: "force", Usage: "install even an older version than the one installed", Destination: &force}},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return cmdutil.Usagef("plugin install takes exactly one PATH to a plugin executable")
			}
			return runInstall(c.Context, f, c.Args().First(), force)
		},
	}
}

func runInstall(ctx context.Context, f *cmdutil.Factory, src string, force bool) error {
	dir, err := f.UserPluginDir()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create the plugin directory %s: %w", dir, atomicfile.Cause(err))
	}
	// Everything below works on our private copy, never on src again: a
	// file swapped after the check cannot be what gets installed.
	tmp, removeTmp, sum, err := copyExecutable(dir, src)
	if err != nil {
		return err
	}
	defer removeTmp() // after a successful rename there is nothing left
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
	old, err := h.Trust.Get(dest)
	if err != nil {
		return err
	}
	if err := pluginhost.CheckUpgrade(pluginhost.Plugin{Type: desc.Name, Path: dest}, old, sum, desc, force); err != nil {
		return err
	}
	if err := os.Rename(tmp, dest); err != nil {
		return fmt.Errorf("cannot install %s: %w", dest, atomicfile.Cause(err))
	}
	// Checked above; its description is cached with the pin, so the next
	// command starts it once.
	change, err := h.TrustPlugin(ctx, desc.Name, &pluginhost.Known{SHA256: sum, Desc: desc}, true)
	if err != nil {
		return err
	}
	if !samePath(change.Plugin.Path, dest) || change.New.SHA256 != sum {
		os.Remove(dest)
		_ = h.Trust.Forget(ctx, dest)
		return fmt.Errorf("%s changed while it was being installed; it was removed, install it again", dest)
	}
	rep := replaced(old, sum)
	if rep != "" {
		rep += ","
	}
	fmt.Fprintf(f.IO.ErrOut, "Installed the %s store plugin %s at %s%s and trusted it (sha256 %s).\n",
		desc.Name, pluginhost.ShowVersion(desc.Version), safetext.Escape(dest), rep, sum[:12])
	return nil
}

// replaced says what an install or trust replaced ("" if nothing was
// trusted there before).
func replaced(old *pluginhost.Record, sum string) string {
	switch {
	case old == nil:
		return ""
	case old.SHA256 == sum:
		return ", the same binary as before"
	case old.Describe == nil:
		return fmt.Sprintf(", replacing sha256 %s", shortSum(old.SHA256))
	}
	return fmt.Sprintf(", replacing %s (sha256 %s)", pluginhost.ShowVersion(old.Describe.Version), shortSum(old.SHA256))
}

// copyExecutable copies the regular file src into a new temp file in dir
// with mode 0755 and returns its path, how to remove it, and its SHA-256.
// The temp file is removed on any exit: on return, on a stop signal, and
// by the next install if ksm was killed.
func copyExecutable(dir, src string) (tmp string, remove func(), sum string, err error) {
	// O_NONBLOCK: a FIFO put in the file's place must not hang the open.
	in, err := os.OpenFile(src, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return "", nil, "", fmt.Errorf("cannot read plugin %q: %w", src, atomicfile.Cause(err))
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return "", nil, "", fmt.Errorf("cannot read plugin %q: %w", src, atomicfile.Cause(err))
	}
	if !fi.Mode().IsRegular() {
		return "", nil, "", fmt.Errorf("%q is not a regular file; give the path of a plugin executable", src)
	}
	if fi.Size() > maxPluginSize {
		return "", nil, "", fmt.Errorf("%q is larger than %d MiB, which no ksm plugin is", src, maxPluginSize>>20)
	}
	out, remove, err := scratch.CreateTemp(dir, ".install-")
	if err != nil {
		return "", nil, "", fmt.Errorf("cannot write in the plugin directory %s: %w", dir, atomicfile.Cause(err))
	}
	defer func() {
		if err != nil {
			out.Close()
			remove()
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), io.LimitReader(in, maxPluginSize+1))
	switch {
	case err != nil:
		return "", nil, "", fmt.Errorf("cannot copy plugin %q: %w", src, atomicfile.Cause(err))
	case n > maxPluginSize:
		return "", nil, "", fmt.Errorf("%q is larger than %d MiB, which no ksm plugin is", src, maxPluginSize>>20)
	}
	if err = out.Chmod(0o755); err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", nil, "", fmt.Errorf("cannot write in the plugin directory %s: %w", dir, atomicfile.Cause(err))
	}
	return out.Name(), remove, hex.EncodeToString(h.Sum(nil)), nil
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

func shortSum(sum string) string { return sum[:min(12, len(sum))] }
