package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// faultModes are the misbehaviours of testdata/faultplugin, by the point at
// which they break and what ksm must say.
var faultModes = []struct {
	mode    string
	atLoad  bool   // fails in Load rather than at start
	wantErr string // in the one Error line
}{
	{"exit", false, "plugin ksm-storage-fault-exit exited during start-up"},
	{"garbage", false, `printed "hello, I am not a plugin" instead of the plugin handshake`},
	{"hang", false, "did not complete the handshake within"},
	{"partial", false, "ksm-storage-fault-partial"},
	{"version", false, "speaks storage protocol version 99, this ksm speaks version 1"},
	{"wrongname", false, `name "somethingelse" differs from the binary's name ksm-storage-fault-wrongname`},
	{"crash", true, "fault-crash store: load:"},
	{"slow", true, "fault-slow store: load:"},
	{"oversize", true, "fault-oversize store: load:"},
	{"denied", true, "fault-denied store: access to the vault was denied; ask your administrator"},
	{"nodetail", true, "fault-nodetail store: load: the plugin is running, but its answer lacks the StoreError detail ksm needs; its message: cannot reach the store at https://store.invalid"},
}

// buildFaultPlugins installs one copy of the fault plugin per mode of
// faultModes and per extra mode.
func buildFaultPlugins(t *testing.T, extra ...string) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "faultplugin")
	if err := goBuild(bin, "./cli/e2e/testdata/faultplugin"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(bin)
	modes := extra
	for _, m := range faultModes {
		modes = append(modes, m.mode)
	}
	for _, m := range modes {
		if err := os.WriteFile(filepath.Join(dir, "ksm-storage-fault-"+m), data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Every plugin fault gives one clear error naming the plugin, a non-zero
// exit, an untouched keeper.ini and no process left behind.
func TestPluginFaults(t *testing.T) {
	pluginDir := buildFaultPlugins(t)
	for _, tt := range faultModes {
		t.Run(tt.mode, func(t *testing.T) {
			typ := "fault-" + tt.mode
			ini, orig, run := faultProfile(t, pluginDir, typ, "2s")
			// A fault at start shows at the first command that runs the
			// plugin: setup, which trusts it on first use (plugin trust
			// runs it too, to learn its version). A fault at load needs
			// a plugin that starts, trusted first.
			args := []string{"profile", "setup", "--type", typ, "-p", "new"}
			if tt.atLoad {
				if out, err := run("plugin", "trust", typ); err != nil {
					t.Fatalf("trust: %v: %s", err, out)
				}
				args = []string{"profile", "show", "p"}
			}
			start := time.Now()
			out, err := run(args...)
			elapsed := time.Since(start)
			if err == nil {
				t.Fatalf("%v succeeded: %s", args, out)
			}
			if code := err.(*exec.ExitError).ExitCode(); code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "Error: ") || !strings.Contains(last, tt.wantErr) {
				t.Errorf("error line %q, want it to contain %q", last, tt.wantErr)
			}
			if strings.Contains(out, "SECRETSTDOUT") {
				t.Errorf("plugin stdout reached the user: %s", out)
			}
			if got, _ := os.ReadFile(ini); string(got) != orig {
				t.Errorf("keeper.ini changed:\n%s", got)
			}
			if pids := processesUnder(pluginDir); len(pids) > 0 {
				t.Errorf("orphan plugin processes left: %v", pids)
			}
			t.Logf("%s", last)
			t.Logf("failed in %v", elapsed.Round(time.Millisecond))
		})
	}
}

// processesUnder lists running processes whose executable is in dir.
func processesUnder(dir string) []string {
	var pids []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err == nil && strings.HasPrefix(exe, dir+string(filepath.Separator)) {
			pids = append(pids, e.Name()+" "+exe)
		}
	}
	return pids
}

// faultProfile is a keeper.ini whose active profile p lives in the typ store
// of a fault plugin in pluginDir, in a work dir of its own; run runs ksm on
// it with the given --timeout and returns its combined output.
func faultProfile(t *testing.T, pluginDir, typ, timeout string) (ini, orig string, run func(args ...string) (string, error)) {
	t.Helper()
	work := t.TempDir()
	ini = filepath.Join(work, "keeper.ini")
	orig = "[_config]\nactive_profile = p\n\n[p]\nstorage = " + typ + "\nwhere = x\n\n"
	if err := os.WriteFile(ini, []byte(orig), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"KSM_PLUGIN_PATH=" + pluginDir, "XDG_CONFIG_HOME=" + filepath.Join(work, "config"), "HOME=" + work}
	run = func(args ...string) (string, error) {
		cmd := ksm(append([]string{"--ini-file", ini, "--timeout", timeout}, args...)...)
		cmd.Env = append(cmd.Env, env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	return ini, orig, run
}

// A store whose errors are plain gRPC statuses (no StoreError detail) fails
// plugin check, which names the method and the plugin's own words.
func TestPluginCheckWantsStoreErrorDetail(t *testing.T) {
	pluginDir := buildFaultPlugins(t)
	_, _, run := faultProfile(t, pluginDir, "fault-nodetail", "5s")
	out, err := run("plugin", "check", "fault-nodetail")
	if err == nil {
		t.Fatalf("plugin check passed a store without the StoreError detail:\n%s", out)
	}
	for _, want := range []string{
		"FAIL  ErrorsCarryStoreErrorDetail",
		`load: answered Unavailable "cannot reach the store at https://store.invalid" without the StoreError detail`,
		`save: answered Unimplemented "fault store cannot save" without the StoreError detail`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// plugin check of a plugin whose Describe and every call ignore their
// deadlines ends in under 20 s, says on one line that the plugin hangs,
// and leaves no scratch directory behind.
func TestPluginCheckOfAHangingPluginIsBounded(t *testing.T) {
	tmp := t.TempDir()
	cmd := ksm("plugin", "check", filepath.Join(binDir, "faulty", "ksm-storage-hangs"))
	cmd.Env = append(cmd.Env, "TMPDIR="+tmp, "HOME="+t.TempDir())
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	if err == nil {
		t.Fatalf("plugin check passed a plugin that hangs:\n%s", out)
	}
	if took >= 20*time.Second {
		t.Errorf("plugin check took %v, want under 20s", took.Round(time.Millisecond))
	}
	if n := strings.Count(string(out), "not run: the plugin hangs"); n != 1 {
		t.Errorf("%d lines say the plugin hangs, want 1:\n%s", n, out)
	}
	left, _ := filepath.Glob(filepath.Join(tmp, "*"))
	// ksm names its scratch and socket directories after its pid; short
	// socket paths may put them in /tmp whatever TMPDIR says.
	for _, prefix := range []string{"ksm-", "ksm-check-", "ksm-plugin-check-"} {
		mine, _ := filepath.Glob(fmt.Sprintf("/tmp/%s%d-*", prefix, cmd.Process.Pid))
		left = append(left, mine...)
	}
	if len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
	t.Logf("took %v", took.Round(time.Millisecond))
}
