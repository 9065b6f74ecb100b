//go:build linux

package e2e

import (
	"fmt"
	"github.com/ksm-cli/ksm/internal/testenv"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/ksm-cli/ksm/internal/testuser"
)

// A victim's world for the keeper.ini trust rows: ksm and its bundled
// plugins where the victim can run them, a home with a Vault token and a
// private key, and a listener standing for the attacker's Vault that
// counts every request it receives.
type victim struct {
	t        *testing.T
	uid      int    // who runs ksm: the unprivileged user when the tests run as root
	base     string // the victim's own directory (home, bin)
	home     string
	bin      string
	hits     *atomic.Int32
	listener string // http://127.0.0.1:PORT
}

func newVictim(t *testing.T) *victim {
	t.Helper()
	if os.Geteuid() != 0 {
		testenv.Skip(t, "needs-root", "planting another user's keeper.ini needs root (chown); run the e2e tests as root")
	}
	v := &victim{t: t, uid: testuser.UID, base: testuser.Dir(t), hits: new(atomic.Int32)}
	v.home = filepath.Join(v.base, "home")
	v.bin = filepath.Join(v.base, "bin")
	for _, d := range []string{v.home, v.bin} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"ksm", "ksm-storage-vault"} {
		copyExe(t, filepath.Join(binDir, name), filepath.Join(v.bin, name))
	}
	files := map[string]string{".vault-token": "hvs.VICTIM-TOKEN", "id_ed25519": "PRIVATE-KEY-OF-THE-VICTIM"}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(v.home, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{v.home, filepath.Join(v.home, ".vault-token"), filepath.Join(v.home, "id_ed25519")} {
		chown(t, p, v.uid)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v.hits.Add(1)
		w.WriteHeader(http.StatusForbidden)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	v.listener = "http://" + ln.Addr().String()
	return v
}

// attackerIni is what the other user plants: a vault profile aimed at
// the listener, under the victim's profile name too.
func (v *victim) attackerIni(extra string) string {
	return fmt.Sprintf("[_config]\nactive_profile = corp\n\n[corp]\nstorage = vault\naddress = %s\nmount = secret\npath = ksm/corp\n%s\n", v.listener, extra)
}

// plant writes path as uid with mode.
func plant(t *testing.T, path, data string, uid int, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	chown(t, path, uid)
}

// sharedSticky is a root-owned sticky world-writable directory: /tmp's
// shape, private to the test (the real /tmp is shared with other runs).
func sharedSticky(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("/tmp", "ksm-sticky-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	if err := os.Chmod(d, os.ModeSticky|0o777); err != nil {
		t.Fatal(err)
	}
	return d
}

// run runs the victim's ksm in dir with env added.
func (v *victim) run(dir string, env []string, args ...string) (string, error) {
	cmd := exec.Command(filepath.Join(v.bin, "ksm"), args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"HOME=" + v.home, "PATH=/usr/bin:/bin", "VAULT_ADDR=", "VAULT_TOKEN="}, env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(v.uid), Gid: testuser.GID}}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Rows of issue 17 item 1: a keeper.ini another user could have written is
// refused before anything is read from it or sent anywhere, with one line
// naming it, its owner and what to do (never a chmod the victim cannot
// run). The control row (the victim's own file) proves the listener would
// see a leak.
func TestForeignKeeperIniRefused(t *testing.T) {
	v := newVictim(t)
	type row struct {
		name string
		// setup returns the directory ksm runs in, the env and the args.
		setup func(t *testing.T) (dir string, env []string, args []string)
		want  string // in the one-line refusal; "" for the control row
	}
	rows := []row{
		{"planted in a sticky shared dir, found by search", func(t *testing.T) (string, []string, []string) {
			d := sharedSticky(t)
			plant(t, filepath.Join(d, "keeper.ini"), v.attackerIni(""), testuser.Other, 0o644)
			return d, nil, []string{"secret", "list"}
		}, "is owned by uid 54321, not by you or root"},
		{"planted, though the victim has her own ~/keeper.ini, with --profile", func(t *testing.T) (string, []string, []string) {
			d := sharedSticky(t)
			plant(t, filepath.Join(d, "keeper.ini"), v.attackerIni(""), testuser.Other, 0o644)
			plant(t, filepath.Join(v.home, "keeper.ini"), "[_config]\nactive_profile = corp\n\n[corp]\nhostname = keepersecurity.com\n", v.uid, 0o600)
			t.Cleanup(func() { os.Remove(filepath.Join(v.home, "keeper.ini")) })
			return d, nil, []string{"--profile", "corp", "secret", "list"}
		}, "is owned by uid 54321"},
		{"kubernetes auth aimed at the victim's private key", func(t *testing.T) (string, []string, []string) {
			d := sharedSticky(t)
			plant(t, filepath.Join(d, "keeper.ini"), v.attackerIni("auth = kubernetes\nrole = r\njwt_file = "+filepath.Join(v.home, "id_ed25519")), testuser.Other, 0o644)
			return d, nil, []string{"secret", "list"}
		}, "is owned by uid 54321"},
		{"approle secret_id_file aimed at the victim's files", func(t *testing.T) (string, []string, []string) {
			d := sharedSticky(t)
			plant(t, filepath.Join(d, "keeper.ini"), v.attackerIni("auth = approle\nrole_id = r\nsecret_id_file = "+filepath.Join(v.home, "id_ed25519")), testuser.Other, 0o644)
			return d, nil, []string{"secret", "list"}
		}, "is owned by uid 54321"},
		{"named by --ini-file", func(t *testing.T) (string, []string, []string) {
			d := sharedSticky(t)
			plant(t, filepath.Join(d, "x.ini"), v.attackerIni(""), testuser.Other, 0o644)
			return v.base, nil, []string{"--ini-file", filepath.Join(d, "x.ini"), "secret", "list"}
		}, "is owned by uid 54321"},
		{"named by KSM_INI_DIR", func(t *testing.T) (string, []string, []string) {
			d := sharedSticky(t)
			plant(t, filepath.Join(d, "keeper.ini"), v.attackerIni(""), testuser.Other, 0o644)
			return v.base, []string{"KSM_INI_DIR=" + d}, []string{"secret", "list"}
		}, "is owned by uid 54321"},
		{"named by an absolute KSM_INI_FILE", func(t *testing.T) (string, []string, []string) {
			d := sharedSticky(t)
			plant(t, filepath.Join(d, "k.ini"), v.attackerIni(""), testuser.Other, 0o644)
			return v.base, []string{"KSM_INI_FILE=" + filepath.Join(d, "k.ini")}, []string{"secret", "list"}
		}, "is owned by uid 54321"},
		{"the victim's own file in a directory others can write (not sticky)", func(t *testing.T) (string, []string, []string) {
			d := sharedSticky(t)
			os.Chmod(d, 0o777)
			plant(t, filepath.Join(d, "keeper.ini"), v.attackerIni(""), v.uid, 0o600)
			return d, nil, []string{"secret", "list"}
		}, "its directory "},
		{"the victim's own file, writable by others", func(t *testing.T) (string, []string, []string) {
			d := filepath.Join(v.base, "w")
			os.Mkdir(d, 0o755)
			chown(t, d, v.uid)
			plant(t, filepath.Join(d, "keeper.ini"), v.attackerIni(""), v.uid, 0o666)
			return d, nil, []string{"secret", "list"}
		}, "is writable by others (mode 0666)"},
		{"a write (profile active) to a planted file", func(t *testing.T) (string, []string, []string) {
			d := sharedSticky(t)
			plant(t, filepath.Join(d, "keeper.ini"), v.attackerIni("\n[other]\nhostname = h\n"), testuser.Other, 0o644)
			return d, nil, []string{"profile", "active", "other"}
		}, "is owned by uid 54321"},
		{"control: the victim's own file is obeyed", func(t *testing.T) (string, []string, []string) {
			d := sharedSticky(t)
			plant(t, filepath.Join(d, "keeper.ini"), v.attackerIni(""), v.uid, 0o600)
			return d, nil, []string{"secret", "list"}
		}, ""},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			v.hits.Store(0)
			dir, env, args := r.setup(t)
			before := snapshot(t, dir)
			out, err := v.run(dir, env, args...)
			if r.want == "" {
				if v.hits.Load() == 0 {
					t.Fatalf("control row: the listener saw no request, so the refusal rows prove nothing: %v %s", err, out)
				}
				return
			}
			if n := v.hits.Load(); n != 0 {
				t.Errorf("the attacker's listener received %d requests", n)
			}
			if err == nil || !strings.HasPrefix(out, "Error: refusing keeper.ini ") || !strings.Contains(out, r.want) {
				t.Fatalf("want a refusal naming %q, got %v: %s", r.want, err, out)
			}
			if n := strings.Count(strings.TrimSpace(out), "\n"); n != 0 {
				t.Errorf("want one line, got %d: %s", n+1, out)
			}
			if strings.Contains(out, "chmod") && strings.Contains(r.want, "owned by") {
				t.Errorf("offers a chmod the victim cannot run: %s", out)
			}
			for _, what := range []string{"--ini-file", "KSM_INI_DIR"} {
				if !strings.Contains(out, what) {
					t.Errorf("the refusal does not name %s: %s", what, out)
				}
			}
			if after := snapshot(t, dir); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("the directory changed: %v -> %v", before, after)
			}
		})
	}
}

// snapshot is the content of the regular files in dir.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Type().IsRegular() {
			data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
			m[e.Name()] = string(data)
		}
	}
	return m
}
