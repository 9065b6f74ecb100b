//go:build linux

package e2e

import (
	"fmt"
	"github.com/ksm-cli/ksm/internal/testenv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ksm-cli/ksm/internal/testuser"
)

// Row (issue 17, item 4): `profile setup --type=file --path` on a config
// file another user owns was accepted, and that user then controlled the
// profile's config. Now setup refuses it in one line that names --path
// (never --ini-file), and keeper.ini is not written. Run by root and, as
// root, by uid 65534 with the same planted file.
func TestFileStorePathOfAnotherUser(t *testing.T) {
	if os.Geteuid() != 0 {
		testenv.Skip(t, "needs-root", "planting another user's file needs root; run the tests as root to cover this row (filestore.TestHostilePath covers the mode rows)")
	}
	config := mustRead(t, "../../testdata/reference/config1.json")
	for _, asUser := range []bool{false, true} {
		t.Run(fmt.Sprint("unprivileged=", asUser), func(t *testing.T) {
			work := t.TempDir()
			if asUser {
				work = testuser.Dir(t)
			}
			bin := filepath.Join(work, "bin")
			shared := filepath.Join(work, "shared")
			home := filepath.Join(work, "home")
			for _, d := range []string{bin, shared, home} {
				if err := os.Mkdir(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Chmod(shared, os.ModeSticky|0o777); err != nil {
				t.Fatal(err)
			}
			for _, exe := range []string{"ksm", "ksm-storage-file"} {
				copyExe(t, filepath.Join(binDir, exe), filepath.Join(bin, exe))
			}
			planted := filepath.Join(shared, "ksm-config.json")
			if err := os.WriteFile(planted, config, 0o644); err != nil {
				t.Fatal(err)
			}
			chown(t, planted, testuser.Other)
			if asUser {
				chown(t, home, testuser.UID)
			}
			ini := filepath.Join(home, "keeper.ini")
			cmd := exec.Command(filepath.Join(bin, "ksm"), "--ini-file", ini, "profile", "setup", "--type=file", "-p", "planted", "--path", planted)
			cmd.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin", "KSM_CONFIG_SKIP_MODE_WARNING=TRUE"}
			if asUser {
				cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: testuser.UID, Gid: testuser.GID}}
			}
			out, err := cmd.CombinedOutput()
			msg := strings.TrimSpace(string(out))
			if err == nil {
				t.Fatalf("setup accepted another user's file: %s", msg)
			}
			for _, want := range []string{planted + " is owned by uid 54321", "--path"} {
				if !strings.Contains(msg, want) {
					t.Errorf("the refusal lacks %q: %q", want, msg)
				}
			}
			if strings.Contains(msg, "--ini-file") || strings.Count(msg, "\n") > 0 {
				t.Errorf("the refusal must be one line naming --path, not --ini-file: %q", msg)
			}
			if data, err := os.ReadFile(ini); err == nil && strings.Contains(string(data), "planted") {
				t.Errorf("keeper.ini got the profile:\n%s", data)
			}
		})
	}
}
