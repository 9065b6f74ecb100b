package pluginhost

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ksm-cli/ksm/internal/atomicfile"
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
	// unchanged (same inode, size, mtime and ctime).
	Stat *FileStamp `json:"stat,omitempty"`
	// Describe caches the plugin's static description for this binary.
	Describe *shared.Description `json:"describe,omitempty"`
}

// trustFile is the JSON file, keyed by the plugin's absolute real path.
type trustFile struct {
	Version int                `json:"version"`
	Plugins map[string]*Record `json:"plugins"`
}

// ErrUntrusted is returned for a plugin that was never trusted, or that
// changed since.
var ErrUntrusted = errors.New("plugin not trusted")

// TrustStore is the trust file.
type TrustStore struct {
	Path string
}

func (s *TrustStore) load() (*trustFile, error) {
	tf := &trustFile{Version: 1, Plugins: map[string]*Record{}}
	data, err := os.ReadFile(s.Path)
	if errors.Is(err, os.ErrNotExist) {
		return tf, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the plugin trust file %s: %w", s.Path, atomicfile.Cause(err))
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

// Put stores a record under the trust file's lock.
func (s *TrustStore) Put(ctx context.Context, path string, rec *Record) error {
	if err := os.MkdirAll(filepath.Dir(s.Path), 0o700); err != nil {
		return fmt.Errorf("cannot create %s: %w", filepath.Dir(s.Path), atomicfile.Cause(err))
	}
	return atomicfile.Update(ctx, s.Path, func(old string, exists bool) ([]byte, error) {
		tf := &trustFile{Version: 1, Plugins: map[string]*Record{}}
		if exists {
			_ = json.Unmarshal([]byte(old), tf) // a corrupt file is replaced
			if tf.Plugins == nil {
				tf.Plugins = map[string]*Record{}
			}
		}
		tf.Plugins[path] = rec
		return json.MarshalIndent(tf, "", "  ")
	})
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

func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}
