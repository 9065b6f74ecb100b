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
	"github.com/ksm-cli/ksm/internal/safetext"
	"github.com/ksm-cli/ksm/internal/setupflags"
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
	// CallTimeout bounds each call of a Session (--timeout).
	CallTimeout time.Duration
	// Notices receives one-line notices (a plugin trusted on first use).
	Notices io.Writer
	// Getenv reads the host environment for the socket directory.
	Getenv func(string) string
}

// Find returns the plugin in use for a type.
func (h *Host) Find(typ string) (Plugin, error) { return Find(h.Dirs, typ) }

// Discover lists every plugin in the host's directories.
func (h *Host) Discover() []Plugin { return Discover(h.Dirs) }

// Open finds, verifies and starts the plugin for typ. With firstUse, a
// plugin never trusted before is trusted now (the user named it in
// `profile setup`), once it has described itself validly; otherwise it is
// refused.
func (h *Host) Open(ctx context.Context, typ string, firstUse bool) (*Session, error) {
	p, err := h.Find(typ)
	if err != nil {
		return nil, err
	}
	v, err := h.verify(p, firstUse)
	if err != nil {
		return nil, err
	}
	defer v.close()
	desc := cachedDescription(v)
	if desc == nil {
		// First launch of this binary: describe it with the base
		// environment, and relaunch only if it needs more.
		s, err := h.start(ctx, v, nil)
		if err != nil {
			return nil, err
		}
		if desc, err = h.describe(ctx, s); err != nil {
			s.Close()
			return nil, err
		}
		v.remember(desc)
		if len(desc.Env) == 0 {
			s.Desc = desc
			h.save(ctx, v)
			return s, nil
		}
		s.Close()
	}
	s, err := h.start(ctx, v, desc)
	if err != nil {
		return nil, err
	}
	h.save(ctx, v)
	return s, nil
}

// Description returns a trusted plugin's description: from the trust
// file when this binary was described before, else by running it once.
// It never starts or pins a plugin that is not trusted.
func (h *Host) Description(ctx context.Context, p Plugin) (*shared.Description, error) {
	v, err := h.verify(p, false)
	if err != nil {
		return nil, err
	}
	defer v.close()
	if desc := cachedDescription(v); desc != nil {
		h.save(ctx, v)
		return desc, nil
	}
	s, err := h.start(ctx, v, nil)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	desc, err := h.describe(ctx, s)
	if err != nil {
		return nil, err
	}
	v.remember(desc)
	h.save(ctx, v)
	return desc, nil
}

// cachedDescription is the description remembered for this binary, if it
// still passes today's checks (an older ksm may have accepted what this
// one refuses); else the plugin is described again.
func cachedDescription(v *verified) *shared.Description {
	d := v.rec.Describe
	if d != nil && d.Check(v.plugin.Type, setupflags.ReservedNames()) != nil {
		return nil
	}
	return d
}

// TrustChange is what trusting a plugin changed: the record it replaced
// (nil if the path was never trusted) and the new one, whose description
// is always known, so that the next command starts the plugin once.
type TrustChange struct {
	Plugin Plugin
	Old    *Record
	New    *Record
}

// Known is a description already taken from the binary of a hash (by
// `ksm plugin install`), so that trusting that binary need not run it again.
type Known struct {
	SHA256 string
	Desc   *shared.Description
}

// TrustPlugin pins the current binary of a type (`ksm plugin trust`,
// install): the hash and the stamp come from one open file, and the
// description is cached with them. A plugin whose description ksm refuses
// is not trusted. A plugin built with this ksm stays bundled, so upgrading
// ksm with its plugins keeps working. Unless force, a binary that reports
// an older version than the one it replaces is refused (*DowngradeError).
func (h *Host) TrustPlugin(ctx context.Context, typ string, known *Known, force bool) (*TrustChange, error) {
	p, err := h.Find(typ)
	if err != nil {
		return nil, err
	}
	if err := h.Trust.usable(); err != nil {
		return nil, err
	}
	f, _, err := openPlugin(p.Path)
	if err != nil {
		return nil, err
	}
	v := &verified{plugin: p, file: f}
	defer v.close()
	sum, stamp, err := hashStable(f, p.Path)
	if err != nil {
		return nil, err
	}
	old, err := h.Trust.Get(p.Path)
	if err != nil {
		return nil, err
	}
	v.rec = &Record{Type: typ, SHA256: sum, Source: SourcePinned, Stat: stamp, Describe: keepDescribe(old, sum)}
	if known != nil && known.SHA256 == sum && v.rec.Describe == nil && known.Desc.Check(typ, setupflags.ReservedNames()) == nil {
		v.rec.Describe = known.Desc
	}
	if v.rec.Describe == nil {
		s, err := h.start(ctx, v, nil)
		if err != nil {
			return nil, err
		}
		desc, err := h.describe(ctx, s)
		s.Close()
		if err != nil {
			return nil, err
		}
		v.rec.Describe = desc
	}
	if err := CheckUpgrade(p, old, sum, v.rec.Describe, force); err != nil {
		return nil, err
	}
	if h.bundledHere(p) && h.Bundled[typ] == sum {
		v.rec.Source = SourceBundled
	}
	if err := h.Trust.Put(ctx, p.Path, v.rec); err != nil {
		return nil, err
	}
	return &TrustChange{Plugin: p, Old: old, New: v.rec}, nil
}

// Status says whether a plugin is trusted, without running it: the
// decision Open makes. status is the trust source, or in short why the
// plugin is refused; err says why in full, with what to do.
func (h *Host) Status(p Plugin) (rec *Record, status string, err error) {
	v, err := h.verify(p, false)
	if err != nil {
		var re *RefusedError
		if errors.As(err, &re) {
			return nil, re.Kind, err
		}
		return nil, "unusable", err
	}
	v.close()
	return v.rec, v.rec.Source, nil
}

// save records trust once the plugin has proved valid; failing to is not
// fatal (the next run hashes again), except that a first-use pin that
// could not be kept is not announced.
func (h *Host) save(ctx context.Context, v *verified) {
	if !v.dirty {
		return
	}
	v.dirty = false
	if err := h.Trust.Put(ctx, v.plugin.Path, v.rec); err != nil {
		h.Log.Debug("cannot update the plugin trust file", "error", err)
		return
	}
	if v.firstUse {
		fmt.Fprintf(h.Notices, "Trusting plugin %s (sha256 %s) from now on; ksm will refuse it if it changes.\n", v.plugin.Path, v.rec.SHA256)
	}
}

func (h *Host) start(ctx context.Context, v *verified, desc *shared.Description) (*Session, error) {
	var declared []string
	if desc != nil {
		declared = desc.Env
	}
	environ := os.Environ
	if h.Environ != nil {
		environ = h.Environ
	}
	getenv := os.Getenv
	if h.Getenv != nil {
		getenv = h.Getenv
	}
	cmd := exec.Command(v.plugin.Path)
	cmd.Env = pluginEnv(environ(), declared)
	h.Log.Debug("starting plugin", "plugin", v.plugin.Path)
	conn, err := launch.Launch(ctx, launch.LaunchConfig{
		Cmd:           cmd,
		Exec:          v.file,
		Name:          filepath.Base(v.plugin.Path),
		Logger:        h.Log,
		StartTimeout:  h.StartTimeout,
		SocketBaseDir: launch.SocketBase(getenv),
	})
	if err != nil {
		return nil, Explain(v.plugin.Type, "start", err)
	}
	return &Session{Plugin: v.plugin, Desc: desc, store: conn.Store, conn: conn, timeout: h.CallTimeout}, nil
}

func (h *Host) describe(ctx context.Context, s *Session) (*shared.Description, error) {
	cctx, cancel := s.callCtx(ctx)
	defer cancel()
	resp, err := s.store.Describe(cctx, &shared.DescribeRequest{})
	if err != nil {
		return nil, Explain(s.Plugin.Type, "describe", err)
	}
	desc := &resp.Description
	if err := desc.Check(s.Plugin.Type, setupflags.ReservedNames()); err != nil {
		return nil, fmt.Errorf("plugin %s is not a valid ksm storage plugin: %s; nothing was trusted; reinstall it or ask its author",
			s.Plugin.Path, safetext.Line(strings.ReplaceAll(err.Error(), "\n", "; "), maxErrorRunes))
	}
	return desc, nil
}

// maxErrorRunes bounds what a plugin's words take of an error line.
const maxErrorRunes = 300

// Explain turns a plugin error into one line that names the store, what
// was being done and, for faults of the plugin itself, what to do. What
// the plugin said is escaped and bounded: it cannot forge output lines.
func Explain(typ, op string, err error) error {
	if err == nil {
		return nil
	}
	var se *shared.Error
	if !errors.As(err, &se) {
		return &explained{fmt.Sprintf("%s store: %s: %s", typ, op, safetext.Line(err.Error(), maxErrorRunes)), err}
	}
	msg := safetext.Line(err.Error(), maxErrorRunes)
	switch se.Code {
	case shared.CodeDeadlineExceeded:
		return &explained{fmt.Sprintf("%s store: %s: %s (raise --timeout if the store is just slow)", typ, op, msg), err}
	case shared.CodeUnavailable:
		var exited *launch.ExitError
		if errors.As(err, &exited) {
			break // it already points to the plugin's log
		}
		return &explained{fmt.Sprintf("%s store: %s: %s (run with --debug to see the plugin's log)", typ, op, msg), err}
	}
	return &explained{fmt.Sprintf("%s store: %s", typ, msg), err}
}

// explained is an error line that still unwraps to the plugin's error.
type explained struct {
	line string
	err  error
}

func (e *explained) Error() string { return e.line }
func (e *explained) Unwrap() error { return e.err }
