package pluginhost

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ksm-cli/ksm/internal/ownership"
	"github.com/ksm-cli/ksm/shared"
)

// verified is a plugin opened once and found trusted: the open file is
// what was checked and hashed, and what is started.
type verified struct {
	plugin Plugin
	file   *os.File
	rec    *Record
	// dirty: rec changed and is to be saved, which happens only once the
	// plugin has proved valid (so a plugin that fails is never pinned).
	dirty bool
	// firstUse: rec is a new pin, announced when it is saved.
	firstUse bool
}

func (v *verified) close() { v.file.Close() }

// remember caches a description for this binary. The record is saved even
// when the file was recognised by its stamp (nothing else changed): else a
// plugin trusted by `ksm plugin trust` or install would be described, that
// is started once more, by every later command.
func (v *verified) remember(desc *shared.Description) {
	v.rec.Describe = desc
	v.dirty = true
}

// openPlugin opens the plugin file once, after the ownership rule holds
// for it and every directory above it, and returns it with its stamp taken
// through the descriptor.
func openPlugin(path string) (*os.File, *FileStamp, error) {
	if err := ownership.Check(path); err != nil {
		var oe *ownership.Error
		if errors.As(err, &oe) {
			return nil, nil, refuse(KindUnsafe, "plugin %s refused: %v", path, oe)
		}
		return nil, nil, fmt.Errorf("cannot read plugin %s: %v", path, err)
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read plugin %s: %v", path, err)
	}
	f, err := os.OpenFile(real, openFlags, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read plugin %s: %v", path, unwrapPath(err))
	}
	fi, err := f.Stat()
	if err == nil {
		err = checkOpenedFile(path, fi)
	}
	if err != nil {
		f.Close()
		var oe *ownership.Error
		if errors.As(err, &oe) {
			return nil, nil, refuse(KindUnsafe, "plugin %s refused: %v", path, oe)
		}
		return nil, nil, err
	}
	return f, stampOf(fi), nil
}

// OpenPluginFile opens a plugin file that is run without being trusted
// (`ksm plugin check`) after the ownership rule holds for it, checked on
// the open file: refused (*RefusedError, kind unsafe) if another user
// could have written it or a directory above it. Run what is checked:
// start the plugin from the open file (launch.ExecVerified,
// LaunchConfig.Exec), not by its path. The caller closes it.
func OpenPluginFile(path string) (*os.File, error) {
	f, _, err := openPlugin(path)
	return f, err
}

// OpenUnsafePluginFile opens a plugin file without the ownership rule
// (`ksm plugin check --unsafe`, after its warning), so that what runs is
// still the one file opened, whatever happens to its path.
func OpenUnsafePluginFile(path string) (*os.File, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read plugin %s: %v", path, err)
	}
	f, err := os.OpenFile(real, openFlags, 0)
	if err != nil {
		return nil, fmt.Errorf("cannot read plugin %s: %v", path, unwrapPath(err))
	}
	return f, nil
}

// hashOpen hashes the open plugin and checks that it did not change while
// it was read: the stamp recorded is the stamp of the bytes hashed.
func hashOpen(f *os.File, path string, before *FileStamp) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, 1<<62)); err != nil {
		return "", fmt.Errorf("cannot read plugin %s: %v", path, unwrapPath(err))
	}
	fi, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("cannot read plugin %s: %v", path, unwrapPath(err))
	}
	if after := stampOf(fi); before != nil && (after == nil || *after != *before) {
		return "", refuse(KindChanged, "plugin %s changed while ksm was verifying it; try again", path)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashStable is hashOpen with a fresh stamp, tried a few times: a file
// touched once (its ctime changed by a rename or chmod) is hashed again
// rather than refused; one that keeps changing is refused.
func hashStable(f *os.File, path string) (sum string, stamp *FileStamp, err error) {
	for range 3 {
		fi, serr := f.Stat()
		if serr != nil {
			return "", nil, fmt.Errorf("cannot read plugin %s: %v", path, unwrapPath(serr))
		}
		stamp = stampOf(fi)
		if sum, err = hashOpen(f, path, stamp); err == nil {
			return sum, stamp, nil
		}
		var re *RefusedError
		if !errors.As(err, &re) || re.Kind != KindChanged {
			return "", nil, err
		}
	}
	return "", nil, err
}

// HashFile returns the hex SHA-256 of a file.
func HashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// verify opens the plugin, applies the ownership rule and decides whether
// it is trusted: by its stamp when the file is provably unchanged since it
// was hashed, else by hashing the open file. This is the only trust
// decision; Status, Open, Description and TrustPlugin all go through it.
func (h *Host) verify(p Plugin, firstUse bool) (*verified, error) {
	tf, err := h.Trust.load()
	if errors.Is(err, ErrNoConfigDir) && h.bundledHere(p) {
		// Trusted by the hash linked into ksm, a bundled plugin needs no
		// trust file (HOME unset, e.g. `env -i` or a bare service unit):
		// it is hashed every time, as nothing remembers its stamp.
		tf, err = &trustFile{Version: 1, Plugins: map[string]*Record{}}, nil
	}
	if err != nil {
		return nil, err
	}
	f, stamp, err := openPlugin(p.Path)
	if err != nil {
		return nil, err
	}
	v := &verified{plugin: p, file: f}
	rec := tf.Plugins[p.Path]
	if rec != nil && stamp != nil && rec.Stat != nil && *rec.Stat == *stamp {
		h.Log.Debug("plugin unchanged since verified", "plugin", p.Path)
		v.rec = rec
		return v, nil
	}
	sum, stamp, err := hashStable(f, p.Path)
	if err != nil {
		f.Close()
		return nil, err
	}
	h.Log.Debug("hashed plugin", "plugin", p.Path, "sha256", sum)
	v.rec, v.firstUse, err = h.decide(p, rec, sum, firstUse)
	if err != nil {
		f.Close()
		return nil, err
	}
	if v.rec.Describe != nil && v.rec.SHA256 != sum {
		v.rec.Describe = nil
	}
	v.rec.SHA256, v.rec.Stat, v.dirty = sum, stamp, true
	return v, nil
}

// decide is the trust rule on a hashed plugin.
func (h *Host) decide(p Plugin, rec *Record, sum string, firstUse bool) (*Record, bool, error) {
	switch {
	case h.bundledHere(p) && h.Bundled[p.Type] == sum:
		// Built with this ksm: trusted whatever an older record says, so
		// upgrading ksm with its plugins just works.
		return &Record{Type: p.Type, Source: SourceBundled, Describe: keepDescribe(rec, sum)}, false, nil
	case rec != nil && rec.SHA256 == sum:
		// unchanged content, new stamp (copied, touched): remember the stamp
		return rec, false, nil
	case rec != nil && rec.Source == SourcePinned:
		return nil, false, refuse(KindChanged, "plugin %s has changed since it was trusted (sha256 %s, was %s); if you updated it on purpose, run `ksm plugin trust %s`",
			p.Path, short(sum), short(rec.SHA256), p.Type)
	case h.bundledHere(p):
		return nil, false, refuse(KindNotBundled, "plugin %s is not the one built with this ksm (sha256 %s); reinstall ksm, or run `ksm plugin trust %s` to trust it anyway",
			p.Path, short(sum), p.Type)
	case firstUse:
		return &Record{Type: p.Type, Source: SourcePinned}, true, nil
	}
	return nil, false, refuse(KindNotTrusted, "plugin %s has not been trusted; run `ksm plugin trust %s` if you installed it", p.Path, p.Type)
}

func keepDescribe(rec *Record, sum string) *shared.Description {
	if rec != nil && rec.SHA256 == sum {
		return rec.Describe
	}
	return nil
}

// bundledHere: a plugin of a type built with ksm, beside the ksm executable.
func (h *Host) bundledHere(p Plugin) bool {
	return h.Bundled[p.Type] != "" && filepath.Dir(p.Path) == h.ExeDir
}
