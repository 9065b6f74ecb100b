//go:build unix

package filestore

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/ksm-cli/ksm/internal/setupflags"
	"github.com/ksm-cli/ksm/internal/storecall"
	"github.com/ksm-cli/ksm/internal/testuser"
	"github.com/ksm-cli/ksm/shared"
)

// reference is Keeper's own export of a synthetic config.
func reference(t *testing.T) ([]byte, shared.Config) {
	t.Helper()
	data, err := os.ReadFile("../../../testdata/reference/config1.json")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := shared.ParseConfig(data)
	if err != nil {
		t.Fatal(err)
	}
	return data, cfg
}

func write(t *testing.T, path, data string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("HOME", filepath.Join(dir, "home"))
	tests := []struct {
		name    string
		options map[string]string
		want    string
		code    shared.Code
		wantErr string
	}{
		{"absolute kept", map[string]string{"path": "/run/secrets/ksm-config"}, "/run/secrets/ksm-config", 0, ""},
		{"cleaned", map[string]string{"path": "/run//secrets/../secrets/ksm"}, "/run/secrets/ksm", 0, ""},
		{"relative made absolute", map[string]string{"path": "conf/ksm.json"}, filepath.Join(dir, "conf/ksm.json"), 0, ""},
		{"home", map[string]string{"path": "~/ksm.json"}, filepath.Join(dir, "home/ksm.json"), 0, ""},
		{"missing", map[string]string{}, "", shared.CodeInvalidArgument, "--path is required"},
		{"empty", map[string]string{"path": ""}, "", shared.CodeInvalidArgument, "--path is required"},
		{"unknown option", map[string]string{"path": "/x", "mode": "0644"}, "", shared.CodeInvalidArgument, "unknown option --mode (known: --path)"},
		{"directory", map[string]string{"path": dir}, "", shared.CodeInvalidArgument, "--path " + dir + " is a directory; give the config file's path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := storecall.Validate(context.Background(), New(Options{Version: "test"}), tt.options)
			if tt.wantErr != "" {
				if shared.CodeOf(err) != tt.code || err.Error() != tt.wantErr {
					t.Fatalf("got %v %v, want %v %q", shared.CodeOf(err), err, tt.code, tt.wantErr)
				}
				return
			}
			if err != nil || len(got) != 1 || got["path"] != tt.want {
				t.Fatalf("got %v %v, want path %q", got, err, tt.want)
			}
		})
	}
}

// A relative --path means one below ksm's working directory (WorkingDir),
// since the plugin runs in "/"; without one (an older ksm), or with one
// that is not absolute, the plugin's own.
func TestValidateWorkingDir(t *testing.T) {
	own := t.TempDir()
	t.Chdir(own)
	ksmDir := t.TempDir()
	tests := []struct {
		name, path, wd, want string
	}{
		{"relative, ksm's directory", "conf/ksm.json", ksmDir, filepath.Join(ksmDir, "conf/ksm.json")},
		{"dot-dot from ksm's directory", "../ksm.json", ksmDir, filepath.Join(filepath.Dir(ksmDir), "ksm.json")},
		{"absolute ignores it", "/run/ksm.json", ksmDir, "/run/ksm.json"},
		{"older ksm: own directory", "ksm.json", "", filepath.Join(own, "ksm.json")},
		{"relative working dir ignored", "ksm.json", "elsewhere", filepath.Join(own, "ksm.json")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := New(Options{Version: "test"}).Validate(context.Background(),
				&shared.ValidateRequest{Options: map[string]string{"path": tt.path}, WorkingDir: tt.wd})
			if err != nil || resp.Settings["path"] != tt.want {
				t.Fatalf("got %v %v, want path %q", resp, err, tt.want)
			}
		})
	}
}

func TestLoadForms(t *testing.T) {
	raw, want := reference(t)
	dir := t.TempDir()
	forms := map[string]string{
		"json":            string(raw),
		"std base64":      base64.StdEncoding.EncodeToString(raw),
		"raw std base64":  base64.RawStdEncoding.EncodeToString(raw),
		"url base64":      base64.URLEncoding.EncodeToString(raw),
		"raw url base64":  base64.RawURLEncoding.EncodeToString(raw),
		"base64 wrapped":  wrap(base64.StdEncoding.EncodeToString(raw), 76) + "\n",
		"json with CRLFs": strings.ReplaceAll(string(raw), "\n", "\r\n"),
	}
	for name, content := range forms {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
			write(t, path, content, 0o600)
			got, err := storecall.Load(context.Background(), New(Options{Version: "test"}), shared.Settings{"path": path})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("loaded config differs from the reference")
			}
		})
	}
}

func wrap(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n] + "\n")
		s = s[n:]
	}
	b.WriteString(s)
	return b.String()
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	notConfig := filepath.Join(dir, "notes.txt")
	write(t, notConfig, "secret-looking-value-42\n", 0o600)
	partial := filepath.Join(dir, "partial.json")
	write(t, partial, `{"clientId": "secret-looking-value-42"}`, 0o600)
	big := filepath.Join(dir, "big")
	write(t, big, strings.Repeat("A", maxSize+1), 0o600)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.json")
	tests := []struct {
		name     string
		settings shared.Settings
		code     shared.Code
		want     string
	}{
		{"missing file", shared.Settings{"path": missing}, shared.CodeNotFound, "config file " + missing + " does not exist"},
		{"missing directory", shared.Settings{"path": filepath.Join(dir, "no/such/ksm.json")}, shared.CodeNotFound, "config file " + filepath.Join(dir, "no/such/ksm.json") + " does not exist"},
		{"not a config", shared.Settings{"path": notConfig}, shared.CodeInvalidArgument, notConfig + " does not hold a ksm config (SDK JSON or base64 of it)"},
		{"config lacking keys", shared.Settings{"path": partial}, shared.CodeInvalidArgument, partial + " does not hold a ksm config (SDK JSON or base64 of it): config is missing privateKey, appKey, hostname"},
		{"too large", shared.Settings{"path": big}, shared.CodeInvalidArgument, big + " does not hold a ksm config (SDK JSON or base64 of it): larger than 64 KiB"},
		{"directory", shared.Settings{"path": dir}, shared.CodeInvalidArgument, dir + " is not a regular file"},
		{"fifo is not read", shared.Settings{"path": fifo}, shared.CodeInvalidArgument, fifo + " is not a regular file"},
		{"no path", shared.Settings{}, shared.CodeInvalidArgument, "the profile has no path setting"},
		{"relative path", shared.Settings{"path": "ksm.json"}, shared.CodeInvalidArgument, `the profile's path "ksm.json" is not absolute`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := storecall.Load(context.Background(), New(Options{Version: "test"}), tt.settings)
			if shared.CodeOf(err) != tt.code || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("got %v %q, want %v %q", shared.CodeOf(err), err, tt.code, tt.want)
			}
			if strings.Contains(err.Error(), "secret-looking-value") {
				t.Error("the error repeats the file's content")
			}
		})
	}
}

// Root reads any file, so under root this runs as an unprivileged user.
func TestLoadUnreadable(t *testing.T) {
	if testuser.Rerun(t) {
		return
	}
	path := filepath.Join(t.TempDir(), "ksm.json")
	write(t, path, "{}", 0o000)
	_, err := storecall.Load(context.Background(), New(Options{Version: "test"}), shared.Settings{"path": path})
	if shared.CodeOf(err) != shared.CodePermissionDenied || err.Error() != "cannot read "+path+": permission denied" {
		t.Fatalf("got %v %v", shared.CodeOf(err), err)
	}
}

func TestFileErrorCodes(t *testing.T) {
	pe := func(err error) error { return &fs.PathError{Op: "open", Path: "/x", Err: err} }
	tests := []struct {
		op   string
		err  error
		code shared.Code
		want string
	}{
		{"read", pe(syscall.ENOENT), shared.CodeNotFound, "config file /c does not exist"},
		{"write", pe(syscall.ENOENT), shared.CodeNotFound, "cannot write /c: its directory does not exist"},
		{"read", pe(syscall.EACCES), shared.CodePermissionDenied, "cannot read /c: permission denied"},
		{"write", pe(syscall.EPERM), shared.CodePermissionDenied, "cannot write /c: permission denied"},
		{"write", pe(syscall.EROFS), shared.CodeUnavailable, "cannot write /c: read-only file system"},
		{"read", errors.New("odd"), shared.CodeUnavailable, "cannot read /c: odd"},
	}
	for _, tt := range tests {
		err := fileError(tt.op, "/c", tt.err)
		if shared.CodeOf(err) != tt.code || err.Error() != tt.want {
			t.Errorf("%s %v: got %v %q, want %v %q", tt.op, tt.err, shared.CodeOf(err), err, tt.code, tt.want)
		}
	}
}

const wantFile = `{
    "clientId": "c",
    "privateKey": "p+/=",
    "appKey": "a",
    "hostname": "keepersecurity.com",
    "serverPublicKeyId": "10",
    "appOwnerPublicKey": "o",
    "extra": "<&>"
}
`

func testConfig() shared.Config {
	return shared.Config{
		"hostname": "keepersecurity.com", "extra": "<&>", "appOwnerPublicKey": "o",
		"serverPublicKeyId": "10", "appKey": "a", "privateKey": "p+/=", "clientId": "c",
	}
}

func TestSaveWritesFormattedPrivateFile(t *testing.T) {
	dir := t.TempDir() // made before umask 000: a 0777 directory is refused
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	path := filepath.Join(dir, "ksm.json")
	s := New(Options{Version: "test"})
	if err := storecall.Save(context.Background(), s, shared.SaveRequest{Settings: shared.Settings{"path": path}, Config: testConfig()}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != wantFile {
		t.Errorf("file:\n%s\nwant:\n%s", data, wantFile)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		fi, _ := e.Info()
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v under umask 000, want 0600", e.Name(), fi.Mode().Perm())
		}
		if e.Name() != "ksm.json" && e.Name() != "ksm.json.lock" {
			t.Errorf("left behind %s", e.Name())
		}
	}
	got, err := storecall.Load(context.Background(), s, shared.Settings{"path": path})
	if err != nil || fmt.Sprint(got) != fmt.Sprint(testConfig()) {
		t.Errorf("round trip: %v", err)
	}
}

func TestSaveReplacing(t *testing.T) {
	_, refCfg := reference(t)
	tests := []struct {
		name      string
		existing  string // "" for none
		overwrite bool
		code      shared.Code
		want      string
	}{
		{"new file", "", false, 0, ""},
		{"over a ksm config", string(shared.MarshalConfig(refCfg)), false, 0, ""},
		{"over a base64 ksm config", base64.StdEncoding.EncodeToString(shared.MarshalConfig(refCfg)), false, 0, ""},
		{"over an empty file", " ", false, shared.CodeAlreadyExists, "exists and does not hold a ksm config; refusing to replace it without overwrite"},
		{"over something else", "my notes", false, shared.CodeAlreadyExists, "exists and does not hold a ksm config; refusing to replace it without overwrite"},
		{"over something else with overwrite", "my notes", true, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ksm.json")
			if tt.existing != "" {
				write(t, path, tt.existing, 0o644)
			}
			err := storecall.Save(context.Background(), New(Options{Version: "test"}), shared.SaveRequest{Settings: shared.Settings{"path": path}, Config: testConfig(), Overwrite: tt.overwrite})
			data, _ := os.ReadFile(path)
			if tt.want != "" {
				if shared.CodeOf(err) != tt.code || err.Error() != path+" "+tt.want {
					t.Fatalf("got %v %v, want %v %q", shared.CodeOf(err), err, tt.code, tt.want)
				}
				if string(data) != tt.existing {
					t.Error("the refused save changed the file")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(data) != wantFile {
				t.Errorf("file not replaced:\n%s", data)
			}
			if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, want 0600", fi.Mode().Perm())
			}
		})
	}
}

func TestSaveErrors(t *testing.T) {
	dir := t.TempDir()
	parentFile := filepath.Join(dir, "plain")
	if err := os.WriteFile(parentFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	incomplete := testConfig()
	delete(incomplete, "appKey")
	tests := []struct {
		name string
		req  shared.SaveRequest
		code shared.Code
		want string
	}{
		{"incomplete config", shared.SaveRequest{Settings: shared.Settings{"path": filepath.Join(dir, "a")}, Config: incomplete},
			shared.CodeInvalidArgument, "cannot save: config is missing appKey"},
		{"parent is a file", shared.SaveRequest{Settings: shared.Settings{"path": filepath.Join(parentFile, "ksm.json")}, Config: testConfig()},
			shared.CodeUnavailable, "cannot create the directory of " + filepath.Join(parentFile, "ksm.json") + ": not a directory"},
		{"directory", shared.SaveRequest{Settings: shared.Settings{"path": dir}, Config: testConfig()},
			shared.CodeInvalidArgument, dir + " is a directory"},
		{"no path", shared.SaveRequest{Config: testConfig()}, shared.CodeInvalidArgument, "the profile has no path setting"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := storecall.Save(context.Background(), New(Options{Version: "test"}), tt.req)
			if shared.CodeOf(err) != tt.code || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("got %v %q, want %v %q", shared.CodeOf(err), err, tt.code, tt.want)
			}
		})
	}
}

func TestSaveThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.json")
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	write(t, target, string(shared.MarshalConfig(testConfig())), 0o600)
	if err := storecall.Save(context.Background(), New(Options{Version: "test"}), shared.SaveRequest{Settings: shared.Settings{"path": link}, Config: testConfig()}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced (%v)", err)
	}
	if data, _ := os.ReadFile(target); string(data) != wantFile {
		t.Errorf("target not written:\n%s", data)
	}
}

func TestSaveWaitsForTheLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ksm.json")
	other := flock.New(path + ".lock")
	if err := other.Lock(); err != nil {
		t.Fatal(err)
	}
	req := shared.SaveRequest{Settings: shared.Settings{"path": path}, Config: testConfig()}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := storecall.Save(ctx, New(Options{Version: "test"}), req)
	if shared.CodeOf(err) != shared.CodeDeadlineExceeded || !strings.HasPrefix(err.Error(), "timed out waiting for the lock on "+path+": "+path+" is locked by ") {
		t.Fatalf("got %v %v", shared.CodeOf(err), err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("wrote without the lock")
	}
	if err := other.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := storecall.Save(context.Background(), New(Options{Version: "test"}), req); err != nil {
		t.Fatalf("after unlock: %v", err)
	}
}

func TestConcurrentSaves(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ksm.json")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg := testConfig()
			cfg["clientId"] = fmt.Sprint("client-", i)
			errs <- storecall.Save(context.Background(), New(Options{Version: "test"}), shared.SaveRequest{Settings: shared.Settings{"path": path}, Config: cfg})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	got, err := storecall.Load(context.Background(), New(Options{Version: "test"}), shared.Settings{"path": path})
	if err != nil || !strings.HasPrefix(got["clientId"], "client-") {
		t.Errorf("after concurrent saves: %v %v", got["clientId"], err)
	}
}

func TestDescribe(t *testing.T) {
	d, err := storecall.Describe(context.Background(), New(Options{Version: "test"}))
	if err != nil {
		t.Fatal(err)
	}
	d.ProtocolVersion = shared.ProtocolVersion // as sdk.Serve does
	if err := d.Check("file", setupflags.ReservedNames()); err != nil {
		t.Error(err)
	}
	if !d.CanSave || len(d.Options) != 1 || !d.Options[0].Required || len(d.Env) != 0 {
		t.Errorf("unexpected description %+v", d)
	}
}

// A new store file's missing directories are created, owner-only.
func TestSaveCreatesDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "dir", "ksm.json")
	err := storecall.Save(context.Background(), New(Options{Version: "test"}), shared.SaveRequest{Settings: shared.Settings{"path": path}, Config: testConfig()})
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v, want 0700", fi.Mode().Perm())
	}
}

// The file store writes with atomicfile, so it has keeper.ini's defences:
// a file its owner made read-only is not replaced, and a lock file planted
// as a symbolic link is refused without creating its target.
func TestSaveHardening(t *testing.T) {
	dir := t.TempDir()
	readOnly := filepath.Join(dir, "ro.json")
	write(t, readOnly, string(shared.MarshalConfig(testConfig())), 0o400)
	err := storecall.Save(context.Background(), New(Options{Version: "test"}), shared.SaveRequest{Settings: shared.Settings{"path": readOnly}, Config: testConfig(), Overwrite: true})
	if err == nil || !strings.Contains(err.Error(), "is read-only (mode 0400)") {
		t.Errorf("read-only store file: %v", err)
	}
	planted := filepath.Join(dir, "planted.json")
	if err := os.Symlink(filepath.Join(dir, "victim"), planted+".lock"); err != nil {
		t.Fatal(err)
	}
	err = storecall.Save(context.Background(), New(Options{Version: "test"}), shared.SaveRequest{Settings: shared.Settings{"path": planted}, Config: testConfig()})
	if err == nil || !strings.Contains(err.Error(), "is a symbolic link") {
		t.Errorf("planted lock symlink: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "victim")); err == nil {
		t.Error("the lock symlink's target was created")
	}
}
