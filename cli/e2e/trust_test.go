//go:build linux

package e2e

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ksm-cli/ksm/cli/internal/pluginhost"
	"github.com/ksm-cli/ksm/internal/testenv"
	"github.com/ksm-cli/ksm/internal/testuser"
)

// The trust boundary, end to end: each test is a row of the attack table
// in SECURITY.md. The races and kills run as loops; `make stress`
// (KSM_STRESS=1) runs them longer.

// iterations is n in `make test`, long under KSM_STRESS.
func iterations(n, long int) int {
	if os.Getenv("KSM_STRESS") != "" {
		return long
	}
	return n
}

// trustEnv is a private world for one test: its own home, config dir,
// plugin directory with a copy of the file plugin, socket directory and
// keeper.ini with a profile f kept in the file store.
type trustEnv struct {
	t       *testing.T
	dir     string
	home    string
	plugins string
	sockets string
	ini     string
	// ksm is the binary run; asUser runs it as testuser.UID, from a copy
	// that user can reach, in a world that user owns.
	ksm    string
	asUser bool
}

func newTrustEnv(t *testing.T) *trustEnv {
	t.Helper()
	return newTrustEnvAs(t, false)
}

// newTrustEnvAs is newTrustEnv, run as the unprivileged testuser when
// asUser (only root can do that).
func newTrustEnvAs(t *testing.T, asUser bool) *trustEnv {
	t.Helper()
	dir := t.TempDir()
	if asUser {
		dir = testuser.Dir(t)
	}
	e := &trustEnv{t: t, dir: dir, home: filepath.Join(dir, "home"), plugins: filepath.Join(dir, "plugins"), ini: filepath.Join(dir, "keeper.ini"),
		ksm: filepath.Join(binDir, "ksm"), asUser: asUser}
	// Short: a socket path is limited to about 100 bytes.
	sockets, err := os.MkdirTemp("/tmp", "kt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(sockets) })
	e.sockets = sockets
	for _, d := range []string{e.home, e.plugins} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	copyExe(t, filepath.Join(binDir, "ksm-storage-file"), filepath.Join(e.plugins, "ksm-storage-file"))
	if err := os.WriteFile(filepath.Join(dir, "config.json"), mustRead(t, "../../testdata/reference/config1.json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if asUser {
		bin := filepath.Join(dir, "bin")
		if err := os.Mkdir(bin, 0o755); err != nil {
			t.Fatal(err)
		}
		e.ksm = filepath.Join(bin, "ksm")
		copyExe(t, filepath.Join(binDir, "ksm"), e.ksm)
		for _, root := range []string{dir, sockets} {
			chownTree(t, root, testuser.UID)
		}
	}
	return e
}

// chownTree gives root and everything below it to uid.
func chownTree(t *testing.T, root string, uid int) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, uid, uid)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (e *trustEnv) env() []string {
	return []string{"PATH=/usr/bin:/bin", "HOME=" + e.home, "XDG_CONFIG_HOME=" + filepath.Join(e.home, ".config"),
		"KSM_PLUGIN_PATH=" + e.plugins, "XDG_RUNTIME_DIR=" + e.sockets, "KSM_CONFIG_SKIP_MODE_WARNING=TRUE"}
}

func (e *trustEnv) cmd(args ...string) *exec.Cmd {
	cmd := exec.Command(e.ksm, append([]string{"--ini-file", e.ini}, args...)...)
	cmd.Env = e.env()
	cmd.Dir = e.dir
	if e.asUser {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: testuser.UID, Gid: testuser.GID}}
	}
	return cmd
}

func (e *trustEnv) run(args ...string) (string, error) {
	out, err := e.cmd(args...).CombinedOutput()
	return string(out), err
}

func (e *trustEnv) must(args ...string) string {
	e.t.Helper()
	out, err := e.run(args...)
	if err != nil {
		e.t.Fatalf("ksm %v: %v\n%s", args, err, out)
	}
	return out
}

func (e *trustEnv) setupFileProfile() {
	e.t.Helper()
	e.must("profile", "setup", "--type=file", "-p", "f", "--path", filepath.Join(e.dir, "config.json"))
}

// Row: the plugin file is swapped while `ksm plugin trust` hashes it. The
// record pins the bytes hashed, with the identity of the file hashed: the
// stamp recorded always belongs to the file whose hash is recorded.
func TestTrustPinsTheBytesItHashed(t *testing.T) {
	e := newTrustEnv(t)
	good := filepath.Join(e.plugins, "ksm-storage-file")
	evil := filepath.Join(e.dir, "evil")
	writeEvilPlugin(t, evil, filepath.Join(e.dir, "evil-ran"))
	sums := map[uint64]string{}
	for _, p := range []string{good, evil} {
		sum, err := pluginhost.HashFile(p)
		if err != nil {
			t.Fatal(err)
		}
		sums[inode(t, p)] = sum
	}
	stop := swapLoop(t, good, evil)
	n := iterations(30, 300)
	mismatches := 0
	for range n {
		_, _ = e.run("plugin", "trust", "file")
		rec := trustRecord(t, e, good)
		if rec == nil || rec.Stat == nil {
			continue
		}
		if sums[rec.Stat.Ino] != rec.SHA256 {
			mismatches++
		}
	}
	stop()
	if mismatches > 0 {
		t.Errorf("%d of %d trusts recorded the identity of a file other than the one hashed", mismatches, n)
	}
}

// Row: the plugin file is swapped between check and start. Every run
// either runs the trusted bytes or fails; the swapped file never runs.
func TestSwappedPluginNeverRuns(t *testing.T) {
	e := newTrustEnv(t)
	e.setupFileProfile()
	good := filepath.Join(e.plugins, "ksm-storage-file")
	evil := filepath.Join(e.dir, "evil")
	marker := filepath.Join(e.dir, "evil-ran")
	writeEvilPlugin(t, evil, marker)
	stop := swapLoop(t, good, evil)
	n := iterations(40, 200)
	ok, refused := 0, 0
	reasons := map[string]int{}
	for range n {
		out, err := e.run("profile", "show", "f")
		switch {
		case err == nil:
			ok++
		case strings.Contains(out, "plugin not trusted"):
			refused++
			if strings.Contains(out, "changed while ksm was verifying it") {
				reasons["changed while verifying"]++
			} else {
				reasons["changed since trusted"]++
			}
		default:
			t.Errorf("unexpected failure: %s", out)
		}
	}
	stop()
	if _, err := os.Stat(marker); err == nil {
		t.Fatalf("the swapped plugin ran (%d runs: %d trusted, %d refused)", n, ok, refused)
	}
	t.Logf("%d runs while the file was swapped: %d ran the trusted bytes, %d refused, 0 ran the swapped file", n, ok, refused)
	t.Logf("refusals: %v (a rename changes the file's ctime, which ksm takes as a change)", reasons)
}

// swapLoop swaps two files until stopped, atomically (renameat2
// RENAME_EXCHANGE): the path always names one of them, as an attacker
// would arrange it. A second process would do no more than this thread.
func swapLoop(t *testing.T, a, b string) (stop func()) {
	var done atomic.Bool
	var wg sync.WaitGroup
	var swaps atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !done.Load() {
			if err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE); err != nil {
				t.Errorf("swap: %v", err)
				return
			}
			swaps.Add(1)
			time.Sleep(3 * time.Millisecond) // a swap every few ms: against ksm of 335fe72, 6 of 40 runs ran the swapped file
		}
	}()
	return func() {
		done.Store(true)
		wg.Wait()
		t.Logf("%d swaps", swaps.Load())
	}
}

func writeEvilPlugin(t *testing.T, path, marker string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("#!/bin/sh\ntouch "+marker+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

func trustRecord(t *testing.T, e *trustEnv, plugin string) *pluginhost.Record {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(e.home, ".config", "ksm", "trusted-plugins.json"))
	if err != nil {
		return nil
	}
	var tf struct{ Plugins map[string]*pluginhost.Record }
	if err := json.Unmarshal(data, &tf); err != nil {
		t.Fatal(err)
	}
	return tf.Plugins[plugin]
}

func inode(t *testing.T, path string) uint64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

func copyExe(t *testing.T, from, to string) {
	t.Helper()
	if err := os.WriteFile(to, mustRead(t, from), 0o755); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Row: a plugin directory (or the plugin) that another user can write is
// refused, with the path and the chmod that fixes it; `ksm plugin list`
// says why. Run as this user and, when that is root, as an unprivileged
// one too: the rule differs between them (root's files are trusted).
func TestOwnershipRule(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, e *trustEnv)
		want  string
	}{
		{"plugin dir writable by others", func(t *testing.T, e *trustEnv) { chmod(t, e.plugins, 0o777) },
			"plugins is writable by others (mode 0777), so another user could replace what ksm runs; run `chmod go-w "},
		{"plugin dir writable by group", func(t *testing.T, e *trustEnv) { chmod(t, e.plugins, 0o770) },
			"plugins is writable by group (mode 0770)"},
		{"plugin writable by others", func(t *testing.T, e *trustEnv) {
			chmod(t, filepath.Join(e.plugins, "ksm-storage-file"), 0o777)
		}, "ksm-storage-file is writable by others (mode 0777)"},
		{"plugin owned by another user", func(t *testing.T, e *trustEnv) {
			if os.Geteuid() != 0 {
				testenv.Skip(t, "needs-root", "making a file another user's needs root")
			}
			chown(t, filepath.Join(e.plugins, "ksm-storage-file"), testuser.Other)
		}, "ksm-storage-file is owned by uid 54321"},
		// A sticky world-writable directory (like /tmp) owned by the user
		// running ksm, or by root, with that user's entry in it: only they
		// can remove or rename the entry.
		{"sticky shared dir with our own entry is fine", func(t *testing.T, e *trustEnv) {
			chmod(t, e.plugins, os.ModeSticky|0o777)
		}, ""},
	}
	for _, asUser := range []bool{false, true} {
		for _, tt := range tests {
			name := tt.name
			if asUser {
				name += fmt.Sprintf(" (as uid %d)", testuser.UID)
			}
			t.Run(name, func(t *testing.T) {
				if asUser && os.Geteuid() != 0 {
					testenv.Skip(t, "needs-root", "running ksm as another user needs root; this run is unprivileged already")
				}
				e := newTrustEnvAs(t, asUser)
				e.setupFileProfile()
				tt.setup(t, e)
				out, err := e.run("profile", "show", "f")
				if tt.want == "" {
					if err != nil {
						t.Fatalf("refused: %s", out)
					}
					return
				}
				if err == nil || !strings.Contains(out, tt.want) {
					t.Fatalf("got %v %s\nwant %q", err, out, tt.want)
				}
				list := e.must("plugin", "list")
				if !strings.Contains(list, "unsafe ownership") || !strings.Contains(list, tt.want) {
					t.Errorf("plugin list does not explain the refusal:\n%s", list)
				}
			})
		}
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func chown(t *testing.T, path string, uid int) {
	t.Helper()
	if err := os.Chown(path, uid, uid); err != nil {
		t.Fatal(err)
	}
}

// Row: SIGTERM, SIGHUP, SIGINT or SIGKILL to ksm during a plugin call
// leaves no plugin process and, after the next command, no socket
// directory.
func TestKillsLeaveNoPlugin(t *testing.T) {
	e := newTrustEnv(t)
	e.setupFileProfile()
	n := iterations(20, 100)
	// A new seed each run covers more orders over time; it is logged, and
	// KSM_KILL_SEED replays a failing run.
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("KSM_KILL_SEED"); v != "" {
		var err error
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatalf("KSM_KILL_SEED: %v", err)
		}
	}
	t.Logf("seed %d (replay with KSM_KILL_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	signals := []syscall.Signal{syscall.SIGKILL, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT}
	sent := map[syscall.Signal]int{}
	for i := range n {
		args := []string{"profile", "show", "f"}
		if i%2 == 1 {
			args = []string{"profile", "setup", "--type=file", "-p", fmt.Sprint("s", i), "--path", filepath.Join(e.dir, "config.json")}
		}
		cmd := e.cmd(args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.IntN(60)) * time.Millisecond) // a random point in the command's life
		sig := signals[rng.IntN(len(signals))]
		sent[sig]++
		_ = cmd.Process.Signal(sig)
		_ = cmd.Wait()
	}
	e.must("profile", "show", "f")
	deadline := time.Now().Add(10 * time.Second)
	for len(processesUnder(e.plugins)) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // the kernel delivers parent-death signals asynchronously
	}
	if left := processesUnder(e.plugins); len(left) > 0 {
		t.Errorf("plugin processes left after %d kills: %v", n, left)
	}
	entries, _ := os.ReadDir(e.sockets)
	if len(entries) > 0 {
		var names []string
		for _, d := range entries {
			names = append(names, d.Name())
		}
		t.Errorf("socket directories left after %d kills and one more command: %v", n, names)
	}
	if !t.Failed() {
		t.Logf("%d kills %v: 0 plugins and 0 socket directories left", n, sent)
	}
}

// Row: with HOME and XDG_CONFIG_HOME unset, or XDG relative, ksm never
// reads or writes trust state in the current directory, so a planted
// trust file there is never used.
func TestNoRelativeTrustState(t *testing.T) {
	e := newTrustEnv(t)
	evilDir := filepath.Join(e.dir, "evilplugins")
	if err := os.Mkdir(evilDir, 0o700); err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(e.dir, "evil-ran")
	evil := filepath.Join(evilDir, "ksm-storage-evil")
	writeEvilPlugin(t, evil, marker)
	sum, _ := pluginhost.HashFile(evil)
	planted := fmt.Sprintf(`{"version":1,"plugins":{%q:{"type":"evil","sha256":%q,"source":"pinned"}}}`, evil, sum)
	for _, rel := range []string{"ksm", "config/ksm", ".config/ksm"} {
		if err := os.MkdirAll(filepath.Join(e.dir, rel), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(e.dir, rel, "trusted-plugins.json"), []byte(planted), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(e.ini, []byte("[_config]\nactive_profile = p\n\n[p]\nstorage = evil\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, env := range [][]string{
		{"HOME=", "XDG_CONFIG_HOME="},
		{"HOME=", "XDG_CONFIG_HOME=config"},
		{"HOME=.", "XDG_CONFIG_HOME="},
	} {
		cmd := e.cmd("profile", "show", "p")
		cmd.Env = append(cmd.Env, "KSM_PLUGIN_PATH="+evilDir)
		cmd.Env = append(cmd.Env, env...)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "cannot find your config directory") {
			t.Errorf("%v: got %v %s", env, err, out)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Fatalf("%v: a plugin trusted only by a trust file in the current directory ran", env)
		}
	}
}

// Rows: a plugin that lies. Each is one clear error line, exit 1, nothing
// pinned and keeper.ini untouched; or, for what it returns, escaped output.
func TestLyingPlugins(t *testing.T) {
	pluginDir := buildFaultPlugins(t, "reservedopt", "storageopt", "storageset", "greedyenv", "evilmsg", "evilsetting")
	tests := []struct {
		mode    string
		setup   bool   // the attack is at profile setup, else at profile show
		want    string // in the one Error line
		pinned  bool   // the plugin ends up trusted
		nolines bool   // the plugin's text must not start a line of its own
	}{
		{mode: "reservedopt", setup: true, want: `option "profile-name": name is reserved by ksm`},
		{mode: "storageopt", setup: true, want: `option "storage": name is reserved by ksm`},
		{mode: "greedyenv", setup: true, want: `env "A*" is too broad`},
		{mode: "storageset", setup: true, want: `returned a setting named "storage", which ksm keeps for the store type; nothing was written`, pinned: true},
		{mode: "evilmsg", want: `fault-evilmsg store: no such secret\nProfile: forged\x1b[31m red \x1b]52;c;ZXZpbA==\x07 long`, nolines: true},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			typ := "fault-" + tt.mode
			ini, orig, run := faultProfile(t, pluginDir, typ, "5s")
			args := []string{"profile", "setup", "--type", typ, "-p", "new"}
			if !tt.setup {
				if out, err := run("plugin", "trust", typ); err != nil {
					t.Fatalf("trust: %v %s", err, out)
				}
				args = []string{"profile", "show", "p"}
			}
			out, err := run(args...)
			if err == nil {
				t.Fatalf("succeeded: %s", out)
			}
			if strings.Contains(out, "panic") || strings.Contains(out, "goroutine ") {
				t.Fatalf("panicked:\n%s", out)
			}
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "Error: ") || !strings.Contains(last, tt.want) {
				t.Errorf("error %q, want it to contain %q", out, tt.want)
			}
			if strings.ContainsAny(out, "\x1b\x07") {
				t.Errorf("raw control characters printed: %q", out)
			}
			if tt.nolines && (len(lines) != 1 || len([]rune(last)) > 600) {
				t.Errorf("not one bounded line (%d lines, %d runes): %q", len(lines), len([]rune(last)), out)
			}
			if got, _ := os.ReadFile(ini); string(got) != orig {
				t.Errorf("keeper.ini changed:\n%s", got)
			}
			if tt.setup {
				list, _ := run("plugin", "list")
				trusted := false
				for _, line := range strings.Split(list, "\n") {
					if strings.HasPrefix(line, typ+" ") {
						trusted = strings.Contains(line, " pinned ")
					}
				}
				if trusted != tt.pinned {
					t.Errorf("pinned %v, want %v:\n%s", trusted, tt.pinned, list)
				}
			}
		})
	}
}

// Row: config values a store returns, with line breaks and terminal
// escapes, are shown escaped by profile show: no forged line, no escape.
func TestEscapedValuesInShow(t *testing.T) {
	pluginDir := buildFaultPlugins(t, "evilvalue")
	work := t.TempDir()
	ini := filepath.Join(work, "keeper.ini")
	if err := os.WriteFile(ini, []byte("[_config]\nactive_profile = e\n\n[e]\nstorage = fault-evilvalue\nwhere = x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"KSM_PLUGIN_PATH=" + pluginDir, "XDG_CONFIG_HOME=" + filepath.Join(work, "config"), "HOME=" + work}
	run := func(args ...string) (string, error) {
		cmd := ksm(append([]string{"--ini-file", ini}, args...)...)
		cmd.Env = append(cmd.Env, env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("plugin", "trust", "fault-evilvalue"); err != nil {
		t.Fatalf("trust: %v %q", err, out)
	}
	out, err := run("profile", "show", "e")
	if err != nil {
		t.Fatalf("show: %v %q", err, out)
	}
	if strings.ContainsAny(out, "\x1b\x07") || strings.Count(out, "\nClient id:") != 1 {
		t.Errorf("raw escapes or a forged line: %q", out)
	}
	if !strings.Contains(out, `EU\nClient id:\tforged\x1b[2J\x1b]0;pwned\x07`) {
		t.Errorf("the value is not shown escaped: %q", out)
	}
}

// Row: a plugin cannot read ksm's environment through /proc (ksm is not
// dumpable), nor is it given KSM_TOKEN. Root reads any process's /proc,
// so the /proc half needs ksm run as an unprivileged user; the root run
// checks what is passed.
func TestPluginCannotReadKsmEnvironment(t *testing.T) {
	pluginDir := buildFaultPlugins(t, "procenv")
	for _, asUser := range []bool{false, true} {
		t.Run(fmt.Sprint("unprivileged=", asUser), func(t *testing.T) {
			if asUser && os.Geteuid() != 0 {
				testenv.Skip(t, "needs-root", "running ksm as another user needs root; this run is unprivileged already")
			}
			work := testuser.Dir(t)
			if !asUser {
				work = t.TempDir()
			}
			bin := filepath.Join(work, "bin")
			plugins := filepath.Join(work, "plugins")
			for _, d := range []string{bin, plugins} {
				if err := os.Mkdir(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			copyExe(t, filepath.Join(binDir, "ksm"), filepath.Join(bin, "ksm"))
			copyExe(t, filepath.Join(pluginDir, "ksm-storage-fault-procenv"), filepath.Join(plugins, "ksm-storage-fault-procenv"))
			ini := filepath.Join(work, "keeper.ini")
			if err := os.WriteFile(ini, []byte("[_config]\nactive_profile = p\n\n[p]\nstorage = fault-procenv\nwhere = x\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			home := filepath.Join(work, "home")
			if err := os.Mkdir(home, 0o700); err != nil {
				t.Fatal(err)
			}
			if asUser {
				for _, p := range []string{ini, home} {
					chown(t, p, testuser.UID)
				}
			}
			run := func(args ...string) (string, error) {
				cmd := exec.Command(filepath.Join(bin, "ksm"), append([]string{"--ini-file", ini}, args...)...)
				cmd.Env = []string{"HOME=" + home, "KSM_PLUGIN_PATH=" + plugins, "KSM_TOKEN=US:ONE-TIME-TOKEN-SECRET", "PATH=/usr/bin:/bin"}
				if asUser {
					cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: testuser.UID, Gid: testuser.GID}}
				}
				out, err := cmd.CombinedOutput()
				return string(out), err
			}
			if out, err := run("plugin", "trust", "fault-procenv"); err != nil {
				t.Fatalf("trust: %v %s", err, out)
			}
			out, err := run("profile", "show", "p")
			if !asUser && strings.Contains(out, "LEAKED: read KSM_TOKEN from ksm's /proc") {
				return // root reads every process's /proc; only what ksm passes is tested here
			}
			if err != nil || strings.Contains(out, "LEAKED") {
				t.Fatalf("%v: %s", err, out)
			}
		})
	}
}

// Row: a keeper.ini lock held by another process (here another user's,
// when run as root) is waited for no longer than --timeout, and the error
// names who holds it.
func TestLockHolderNamedWithinTimeout(t *testing.T) {
	// The directory is ksm's user's (the ownership rule refuses a keeper.ini
	// in another user's directory) and open to the lock holder.
	work, err := os.MkdirTemp("/tmp", "ksm-lock-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(work) })
	if err := os.Chmod(work, 0o755); err != nil {
		t.Fatal(err)
	}
	ini := filepath.Join(work, "keeper.ini")
	if err := os.WriteFile(ini, mustRead(t, "../../testdata/reference/two-profiles.ini"), 0o600); err != nil {
		t.Fatal(err)
	}
	lock := ini + ".lock"
	if err := os.WriteFile(lock, nil, 0o644); err != nil { // readable by others, as older tools left it
		t.Fatal(err)
	}
	holder := exec.Command("flock", "--shared", lock, "sleep", "30")
	who := "root"
	if os.Geteuid() == 0 {
		holder.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: testuser.UID, Gid: testuser.GID}}
		who = "nobody"
	} else {
		who = ""
	}
	if err := holder.Start(); err != nil {
		testenv.Skip(t, "no-flock", fmt.Sprintf("flock(1) is needed: %v", err))
	}
	defer func() { _ = holder.Process.Kill(); _ = holder.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for !lockedByOther(lock) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // until flock(1) holds it
	}
	start := time.Now()
	cmd := ksm("--ini-file", ini, "--timeout", "1s", "profile", "active", "second")
	out, err := cmd.CombinedOutput()
	elapsed := time.Since(start)
	if err == nil || !strings.Contains(string(out), "is locked by process ") || !strings.Contains(string(out), "of user "+who) {
		t.Fatalf("got %v %s", err, out)
	}
	if elapsed > 15*time.Second {
		t.Errorf("waited %s with --timeout 1s", elapsed)
	}
	t.Logf("%s (after %s)", strings.TrimSpace(string(out)), elapsed.Round(time.Millisecond))
}

func lockedByOther(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		return true
	}
	_ = unix.Flock(int(f.Fd()), unix.LOCK_UN)
	return false
}
