// Package keeperini decides which keeper.ini (or which container
// variables) a command's profiles come from, and changes that keeper.ini
// under its lock. Reading here has no side effects: it never redeems a
// token, writes a file or starts a plugin.
package keeperini

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"gopkg.in/ini.v1"

	"github.com/ksm-cli/ksm/cli/internal/inifile"
	"github.com/ksm-cli/ksm/cli/internal/profiles"
)

// Location is where a command's profiles are: --ini-file, the container
// variables or the keeper.ini search.
type Location struct {
	Env    inifile.Env
	Getenv func(string) string
	Log    hclog.Logger
	// IniFile is --ini-file; empty means search.
	IniFile string
	// Profile is --profile / KSM_CLI_PROFILE; empty means the active one.
	Profile string
	// Timeout bounds reading keeper.ini (--timeout); 0 means no bound.
	Timeout time.Duration
	// Warnings receives the loose-mode warning, printed at most once per
	// WarnOnce.
	Warnings io.Writer
	WarnOnce *sync.Once
}

// Source is where a command read its profiles from.
type Source struct {
	Book *profiles.Book
	// Path is the keeper.ini read, empty for in-memory profiles.
	Path string
	// Env names the variable in-memory profiles came from (KSM_CONFIG,
	// KSM_CONFIG_BASE64_1...); empty for a keeper.ini.
	Env string
}

// ErrNoIni is returned when no keeper.ini exists anywhere searched.
var ErrNoIni = errors.New("no keeper.ini found")

// NoIniError is ErrNoIni with where ksm looked. Hint, set by whoever has
// one before the error is printed, is added to the message: formatting
// the error never computes anything.
type NoIniError struct {
	Searched string
	Hint     string
}

func (e *NoIniError) Unwrap() error { return ErrNoIni }

func (e *NoIniError) Error() string {
	msg := fmt.Sprintf("%v (looked in %s); create one with `ksm profile init` or `ksm profile import`, or pass --ini-file", ErrNoIni, e.Searched)
	if e.Hint != "" {
		msg += ". " + e.Hint
	}
	return msg
}

// ReadPath is the keeper.ini reads use: --ini-file, else the first found
// in the search order.
func (l *Location) ReadPath() (string, bool) {
	if l.IniFile != "" {
		return l.IniFile, true
	}
	return l.Env.Find()
}

// WritePath is the keeper.ini writes use: --ini-file, else the one found,
// else where a new one is created.
func (l *Location) WritePath() string {
	if p, ok := l.ReadPath(); ok {
		return p
	}
	return l.Env.WritePath()
}

// Read loads the profiles a command works on, from the first of:
//
//  1. --ini-file;
//  2. KSM_CONFIG: one in-memory profile (KSM_CLI_PROFILE, else _default);
//  3. KSM_CONFIG_BASE64_1..n: in-memory profiles named by
//     KSM_CONFIG_BASE64_DESC_n, else App<n>; the first is active;
//  4. the keeper.ini search.
//
// In-memory profiles are read-only; commands that write still write to
// keeper.ini. KSM_TOKEN is redeemed only by the commands that use a
// profile, before they read (package envtoken).
func (l *Location) Read() (*Source, error) {
	if l.IniFile != "" {
		return l.readIni()
	}
	src, err := envProfiles(l.Getenv)
	if err != nil {
		return nil, err
	}
	if src != nil {
		l.Log.Debug("using in-memory profiles", "from", src.Env)
		return src, nil
	}
	return l.readIni()
}

// InMemory reports whether Read takes its profiles from the container
// variables rather than a keeper.ini.
func (l *Location) InMemory() bool {
	return l.IniFile == "" && (l.Getenv(EnvConfig) != "" || l.Getenv(EnvConfigBase64+"1") != "")
}

// RequireIni fails unless there is a keeper.ini to change: commands that
// edit profiles never create one, and in-memory profiles (KSM_CONFIG...)
// cannot be edited.
func (l *Location) RequireIni() error {
	if _, ok := l.ReadPath(); ok {
		return nil
	}
	return l.noIni()
}

func (l *Location) noIni() error {
	return &NoIniError{Searched: l.searchedDirs()}
}

// readIni is Read without the container variables.
func (l *Location) readIni() (*Source, error) {
	path, ok := l.ReadPath()
	if !ok {
		return nil, l.noIni()
	}
	file, err := inifile.ReadWithin(path, l.Timeout)
	if err != nil {
		return nil, err
	}
	l.warnLooseMode(path)
	l.Log.Debug("read keeper.ini", "path", path)
	return &Source{Book: profiles.NewBook(file), Path: path}, nil
}

// Update changes the keeper.ini at WritePath under its lock; nothing is
// written if fn fails.
func (l *Location) Update(ctx context.Context, fn func(*profiles.Book) error) (string, error) {
	return l.UpdateAt(ctx, l.WritePath(), fn)
}

// UpdateAt is Update on a given keeper.ini.
func (l *Location) UpdateAt(ctx context.Context, path string, fn func(*profiles.Book) error) (string, error) {
	l.Log.Debug("update keeper.ini", "path", path)
	err := inifile.Update(ctx, path, func(file *ini.File) error {
		return fn(profiles.NewBook(file))
	})
	return path, err
}

// ReadProfile reads the profiles and returns the one a command acts on
// (see ProfileName).
func (l *Location) ReadProfile(arg string) (*Source, *profiles.Profile, error) {
	src, err := l.Read()
	if err != nil {
		return nil, nil, err
	}
	name, err := l.ProfileName(src.Book, arg)
	if err != nil {
		return nil, nil, err
	}
	p, err := src.Book.Get(name)
	if err != nil {
		return nil, nil, err
	}
	return src, p, nil
}

// ProfileName picks the profile a command acts on: an explicit argument,
// else --profile / KSM_CLI_PROFILE, else the active profile.
func (l *Location) ProfileName(book *profiles.Book, arg string) (string, error) {
	for _, n := range []string{arg, l.Profile, book.Active()} {
		if n != "" {
			return n, nil
		}
	}
	if len(book.Names()) == 0 {
		return "", errors.New("there is no profile; create one with `ksm profile init` or `ksm profile import`")
	}
	return "", errors.New("no active profile; choose one with `ksm profile active NAME` or pass --profile NAME")
}

func (l *Location) warnLooseMode(path string) {
	if l.Getenv("KSM_CONFIG_SKIP_MODE_WARNING") == "TRUE" {
		return
	}
	if mode, loose := inifile.LooseMode(path); loose {
		l.WarnOnce.Do(func() {
			fmt.Fprintf(l.Warnings, "Warning: %s is accessible by other users (mode %04o); run `chmod 600 %s` (set KSM_CONFIG_SKIP_MODE_WARNING=TRUE to silence this)\n", path, mode, path)
		})
	}
}

func (l *Location) searchedDirs() string {
	paths := l.Env.SearchPaths()
	if len(paths) > 3 {
		return fmt.Sprintf("%s, %s, ... %s", paths[0], paths[1], paths[len(paths)-1])
	}
	return fmt.Sprint(paths)
}
