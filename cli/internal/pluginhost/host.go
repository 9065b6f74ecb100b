package pluginhost

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/ksm-cli/ksm/internal/launch"
	"github.com/ksm-cli/ksm/shared"
)

// Host finds, verifies and launches storage plugins.
type Host struct {
	Dirs []string
	// ExeDir is the ksm executable's directory, where bundled plugins live.
	ExeDir string
	// Bundled maps a type to the SHA-256 of the plugin built with this ksm.
	Bundled map[string]string
	Trust   *TrustStore
	Log     hclog.Logger
	Environ func() []string
	// StartTimeout bounds a plugin's start-up.
	StartTimeout time.Duration
	// Notices receives one-line notices (a plugin trusted on first use).
	Notices io.Writer
}

// Session is a running plugin with its description; Close ends it.
type Session struct {
	Plugin Plugin
	Desc   *shared.Description
	Store  shared.Store
	conn   *launch.Conn
}

// Close stops the plugin and reaps it.
func (s *Session) Close() error { return s.conn.Close() }

// Find returns the plugin in use for a type.
func (h *Host) Find(typ string) (Plugin, error) { return Find(h.Dirs, typ) }

// Open finds, verifies and starts the plugin for typ. With firstUse, a
// plugin never trusted before is trusted now (the user named it in
// `profile setup`); otherwise it is refused.
func (h *Host) Open(ctx context.Context, typ string, firstUse bool) (*Session, error) {
	p, err := h.Find(typ)
	if err != nil {
		return nil, err
	}
	rec, dirty, err := h.check(p, firstUse)
	if err != nil {
		return nil, err
	}
	// One write of the trust file at most, and none when nothing changed.
	defer func() {
		if dirty {
			h.save(ctx, p.Path, rec)
		}
	}()
	if rec.Describe != nil {
		return h.start(ctx, p, rec.Describe)
	}
	// First launch of this binary: describe it with the base environment,
	// remember the description, and relaunch only if it needs more.
	s, err := h.start(ctx, p, nil)
	if err != nil {
		return nil, err
	}
	desc, err := h.describe(ctx, s)
	if err != nil {
		s.Close()
		return nil, err
	}
	rec.Describe, dirty = desc, true
	if len(desc.Env) == 0 {
		s.Desc = desc
		return s, nil
	}
	s.Close()
	return h.start(ctx, p, desc)
}

// Description returns a trusted plugin's description: from the trust
// file when this binary was described before, else by running it once.
func (h *Host) Description(ctx context.Context, p Plugin) (*shared.Description, error) {
	rec, dirty, err := h.check(p, false)
	if err != nil {
		return nil, err
	}
	defer func() {
		if dirty {
			h.save(ctx, p.Path, rec)
		}
	}()
	if rec.Describe != nil {
		return rec.Describe, nil
	}
	s, err := h.start(ctx, p, nil)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	desc, err := h.describe(ctx, s)
	if err != nil {
		return nil, err
	}
	rec.Describe, dirty = desc, true
	return desc, nil
}

// TrustPlugin pins the current binary of a type (`ksm plugin trust`).
func (h *Host) TrustPlugin(ctx context.Context, typ string) (*Record, Plugin, error) {
	p, err := h.Find(typ)
	if err != nil {
		return nil, p, err
	}
	sum, err := HashFile(p.Path)
	if err != nil {
		return nil, p, fmt.Errorf("cannot read plugin %s: %w", p.Path, err)
	}
	rec := &Record{Type: typ, SHA256: sum, Source: SourcePinned, Stat: h.stamp(p.Path)}
	if err := h.Trust.Put(ctx, p.Path, rec); err != nil {
		return nil, p, err
	}
	return rec, p, nil
}

// Status says whether a plugin is trusted, without running it.
func (h *Host) Status(p Plugin) (rec *Record, trusted bool, why string) {
	rec, err := h.Trust.Get(p.Path)
	if err != nil {
		return nil, false, err.Error()
	}
	if stamp := h.stamp(p.Path); rec != nil && stamp != nil && rec.Stat != nil && *rec.Stat == *stamp {
		return rec, true, rec.Source // unchanged since it was hashed (see verify)
	}
	sum, herr := HashFile(p.Path)
	if herr != nil {
		return rec, false, "unreadable"
	}
	switch {
	case rec != nil && rec.SHA256 == sum:
		return rec, true, rec.Source
	case rec != nil && rec.Source == SourcePinned:
		return rec, false, "changed since trusted"
	case h.isBundled(p, sum):
		return rec, true, SourceBundled
	case h.Bundled[p.Type] != "" && filepath.Dir(p.Path) == h.ExeDir:
		return rec, false, "differs from the plugin built with ksm"
	}
	return rec, false, "not trusted"
}

// verify checks the plugin binary against its trust record or the hash
// it was built with, hashing only when its file stamp has changed, and
// records what changed.
func (h *Host) verify(ctx context.Context, p Plugin, firstUse bool) (*Record, error) {
	rec, dirty, err := h.check(p, firstUse)
	if err == nil && dirty {
		h.save(ctx, p.Path, rec)
	}
	return rec, err
}

// check is verify without the write: dirty says the record changed and is
// to be saved, which Open does once, with the description if it also
// learns it.
func (h *Host) check(p Plugin, firstUse bool) (rec *Record, dirty bool, err error) {
	rec, err = h.Trust.Get(p.Path)
	if err != nil {
		return nil, false, err
	}
	stamp := h.stamp(p.Path)
	if rec != nil && stamp != nil && rec.Stat != nil && *rec.Stat == *stamp {
		h.Log.Debug("plugin unchanged since verified", "plugin", p.Path)
		return rec, false, nil
	}
	sum, err := HashFile(p.Path)
	if err != nil {
		return nil, false, fmt.Errorf("cannot read plugin %s: %w", p.Path, err)
	}
	h.Log.Debug("hashed plugin", "plugin", p.Path, "sha256", sum)
	switch {
	case rec != nil && rec.SHA256 == sum:
		// unchanged content, new stamp (copied, touched): remember the stamp
	case rec != nil && rec.Source == SourcePinned:
		return nil, false, fmt.Errorf("%w: plugin %s has changed since it was trusted (sha256 %s, was %s); if you updated it on purpose, run `ksm plugin trust %s`",
			ErrUntrusted, p.Path, short(sum), short(rec.SHA256), p.Type)
	case h.isBundled(p, sum):
		rec = &Record{Type: p.Type, SHA256: sum, Source: SourceBundled}
	case h.Bundled[p.Type] != "" && filepath.Dir(p.Path) == h.ExeDir:
		return nil, false, fmt.Errorf("%w: plugin %s is not the one built with this ksm (sha256 %s); reinstall ksm, or run `ksm plugin trust %s` to trust it anyway",
			ErrUntrusted, p.Path, short(sum), p.Type)
	case firstUse:
		rec = &Record{Type: p.Type, SHA256: sum, Source: SourcePinned}
		fmt.Fprintf(h.Notices, "Trusting plugin %s (sha256 %s) from now on; ksm will refuse it if it changes.\n", p.Path, short(sum))
	default:
		return nil, false, fmt.Errorf("%w: plugin %s has not been trusted; run `ksm plugin trust %s` if you installed it", ErrUntrusted, p.Path, p.Type)
	}
	if rec.Describe != nil && rec.SHA256 != sum {
		rec.Describe = nil
	}
	rec.Stat = stamp
	return rec, true, nil
}

func (h *Host) isBundled(p Plugin, sum string) bool {
	return h.Bundled[p.Type] == sum && filepath.Dir(p.Path) == h.ExeDir
}

func (h *Host) stamp(path string) *FileStamp {
	fi, err := os.Stat(path)
	if err != nil {
		return nil
	}
	return stampOf(fi)
}

// save records trust; failing to is not fatal (the next run hashes again).
func (h *Host) save(ctx context.Context, path string, rec *Record) {
	if err := h.Trust.Put(ctx, path, rec); err != nil {
		h.Log.Debug("cannot update the plugin trust file", "error", err)
	}
}

func (h *Host) start(ctx context.Context, p Plugin, desc *shared.Description) (*Session, error) {
	var declared []string
	if desc != nil {
		declared = desc.Env
	}
	environ := os.Environ
	if h.Environ != nil {
		environ = h.Environ
	}
	cmd := exec.Command(p.Path)
	cmd.Env = pluginEnv(environ(), declared)
	conn, err := launch.Launch(ctx, launch.LaunchConfig{
		Cmd:           cmd,
		Logger:        h.Log,
		StartTimeout:  h.StartTimeout,
		SocketBaseDir: socketBase(os.Getenv),
	})
	if err != nil {
		return nil, Explain(p.Type, "start", err)
	}
	return &Session{Plugin: p, Desc: desc, Store: conn.Store, conn: conn}, nil
}

func (h *Host) describe(ctx context.Context, s *Session) (*shared.Description, error) {
	desc, err := s.Store.Describe(ctx)
	if err != nil {
		return nil, Explain(s.Plugin.Type, "describe", err)
	}
	if err := desc.Check(s.Plugin.Type); err != nil {
		return nil, fmt.Errorf("plugin %s is not a valid ksm storage plugin: %s; reinstall it or ask its author",
			s.Plugin.Path, strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	return desc, nil
}

// Explain turns a plugin error into one line that names the store, what
// was being done and, for faults of the plugin itself, what to do.
func Explain(typ, op string, err error) error {
	if err == nil {
		return nil
	}
	var se *shared.Error
	if !errors.As(err, &se) {
		return fmt.Errorf("%s store: %s: %w", typ, op, err)
	}
	switch se.Code {
	case shared.CodeDeadlineExceeded:
		return fmt.Errorf("%s store: %s: %w (raise --timeout if the store is just slow)", typ, op, err)
	case shared.CodeUnavailable:
		if strings.Contains(se.Message, "log") {
			break
		}
		return fmt.Errorf("%s store: %s: %w (run with --debug to see the plugin's log)", typ, op, err)
	}
	return fmt.Errorf("%s store: %w", typ, err)
}

// Discover lists every plugin in the host's directories.
func (h *Host) Discover() []Plugin { return Discover(h.Dirs) }

// socketBase picks where the plugin's private socket directory goes. A unix
// socket path is limited to about 104 bytes, and go-plugin nests two more
// directories, so a long TMPDIR (macOS, test runners) must not be used; the
// directory is 0700 wherever it is.
func socketBase(getenv func(string) string) string {
	const maxBase = 40
	for _, dir := range []string{getenv("XDG_RUNTIME_DIR"), os.TempDir()} {
		if dir != "" && len(dir) <= maxBase {
			if st, err := os.Stat(dir); err == nil && st.IsDir() {
				return dir
			}
		}
	}
	return "/tmp"
}
