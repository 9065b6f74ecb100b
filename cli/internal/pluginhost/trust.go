package pluginhost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ksm-cli/ksm/internal/atomicfile"
	"github.com/ksm-cli/ksm/internal/ownership"
	"github.com/ksm-cli/ksm/shared"
)

// Trust sources.
const (
	SourcePinned  = "pinned"  // trusted by the user (setup or `ksm plugin trust`)
	SourceBundled = "bundled" // built with this ksm and installed beside it
)

// Record is what ksm remembers about a trusted plugin binary.
type Record struct {
	Type   string `json:"type"`
	SHA256 string `json:"sha256"`
	Source string `json:"source"`
	// Stat lets a later run skip hashing while the file is provably
	// unchanged (same inode, size, mtime and ctime). It is taken through
	// the descriptor that was hashed, before and after hashing.
	Stat *FileStamp `json:"stat,omitempty"`
	// Describe caches the plugin's static description for this binary.
	Describe *shared.Description `json:"describe,omitempty"`
}

// trustFile is the JSON file, keyed by the plugin's absolute path.
type trustFile struct {
	Version int                `json:"version"`
	Plugins map[string]*Record `json:"plugins"`
}

// ErrUntrusted is returned for a plugin that was never trusted, that
// changed since, or that others could replace.
var ErrUntrusted = errors.New("plugin not trusted")

// ErrNoConfigDir is returned when there is no absolute directory to keep
// the trust file in: ksm never falls back to the current directory.
var ErrNoConfigDir = errors.New("cannot find your config directory: HOME (or XDG_CONFIG_HOME) is unset or not an absolute path; set it to an absolute path")

// maxTrustFile bounds the trust file read: a few KiB per plugin.
const maxTrustFile = 4 << 20

// TrustStore is the trust file. An empty Path means there is none to use
// (see ErrNoConfigDir).
type TrustStore struct {
	Path string
}

func (s *TrustStore) usable() error {
	if s.Path == "" || !filepath.IsAbs(s.Path) {
		return ErrNoConfigDir
	}
	return nil
}

// checkOwner applies the ownership rule to the trust file (or, while it
// does not exist, its directory): whoever can change it chooses what ksm
// runs.
func (s *TrustStore) checkOwner() error {
	path := s.Path
	for {
		if _, err := os.Lstat(path); err == nil {
			break
		}
		parent := filepath.Dir(path)
		if parent == path {
			return nil
		}
		path = parent
	}
	if err := ownership.Check(path); err != nil {
		var oe *ownership.Error
		if errors.As(err, &oe) {
			return fmt.Errorf("the plugin trust file %s is not safe: %v", s.Path, oe)
		}
		return fmt.Errorf("cannot read the plugin trust file %s: %v", s.Path, err)
	}
	return nil
}

func (s *TrustStore) load() (*trustFile, error) {
	tf := &trustFile{Version: 1, Plugins: map[string]*Record{}}
	if err := s.usable(); err != nil {
		return nil, err
	}
	if err := s.checkOwner(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(s.Path, openFlags, 0)
	if errors.Is(err, os.ErrNotExist) {
		return tf, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the plugin trust file %s: %w", s.Path, atomicfile.Cause(err))
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("the plugin trust file %s is not a regular file; remove it and trust your plugins again", s.Path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxTrustFile+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read the plugin trust file %s: %w", s.Path, atomicfile.Cause(err))
	}
	if len(data) > maxTrustFile {
		return nil, fmt.Errorf("the plugin trust file %s is too large; delete it and trust your plugins again", s.Path)
	}
	if err := json.Unmarshal(data, tf); err != nil {
		return nil, fmt.Errorf("the plugin trust file %s is corrupt; delete it and trust your plugins again", s.Path)
	}
	if tf.Plugins == nil {
		tf.Plugins = map[string]*Record{}
	}
	return tf, nil
}

// Get returns the record for a plugin path, or nil.
func (s *TrustStore) Get(path string) (*Record, error) {
	tf, err := s.load()
	if err != nil {
		return nil, err
	}
	return tf.Plugins[path], nil
}

// Put stores a record under the trust file's lock (nil: removes it).
func (s *TrustStore) Put(ctx context.Context, path string, rec *Record) error {
	if err := s.usable(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.Path), 0o700); err != nil {
		return fmt.Errorf("cannot create %s: %w", filepath.Dir(s.Path), atomicfile.Cause(err))
	}
	if err := s.checkOwner(); err != nil {
		return err
	}
	return atomicfile.Update(ctx, s.Path, func(old string, exists bool) ([]byte, error) {
		tf := &trustFile{Version: 1, Plugins: map[string]*Record{}}
		if exists {
			_ = json.Unmarshal([]byte(old), tf) // a corrupt file is replaced
			if tf.Plugins == nil {
				tf.Plugins = map[string]*Record{}
			}
		}
		if rec == nil {
			delete(tf.Plugins, path)
		} else {
			tf.Plugins[path] = rec
		}
		return json.MarshalIndent(tf, "", "  ")
	})
}

// Forget drops the record of a plugin path (a removed plugin), so that a
// file put there later is a new plugin, never trusted by the old pin.
func (s *TrustStore) Forget(ctx context.Context, path string) error {
	if rec, err := s.Get(path); err != nil || rec == nil {
		return err
	}
	return s.Put(ctx, path, nil)
}

func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}
