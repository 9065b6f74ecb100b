package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// keeperRecording is what testdata/keepercli/record.py wrote by running
// Keeper's CLI 1.4.0 through testdata/keepercli/script.txt.
type keeperRecording struct {
	KeeperCLI string `json:"keeper_cli"`
	Command   string `json:"command"`
	Steps     []struct {
		Args    string            `json:"args"`
		Differs string            `json:"differs"`
		Exit    int               `json:"exit"`
		Stdout  string            `json:"stdout"`
		Stderr  string            `json:"stderr"`
		Files   map[string]string `json:"files"`
	} `json:"steps"`
}

// A script written for Keeper's CLI 1.4 runs unchanged against ksm (issue 19
// item 3): every global option and every profile and config command Keeper
// documents, in order on one keeper.ini, with Keeper's exit codes, its
// stdout and the files it leaves (keeper.ini byte for byte, -o's files),
// except on the steps marked as ksm's documented differences.
func TestKeeperCLIScript(t *testing.T) {
	data, err := os.ReadFile("testdata/keepercli/keeper-cli-1.4.0.json")
	if err != nil {
		t.Fatal(err)
	}
	var rec keeperRecording
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.Steps) == 0 {
		t.Fatal("the recording has no steps")
	}
	config1, err := os.ReadFile("../../testdata/reference/config1.b64")
	if err != nil {
		t.Fatal(err)
	}
	ini, err := os.ReadFile("../../testdata/reference/two-profiles.ini")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	home := filepath.Join(work, ".home")
	for _, dir := range []string{home, filepath.Join(work, "rt")} {
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(work, "keeper.ini"), ini, 0o600); err != nil {
		t.Fatal(err)
	}
	// Files a step that differs on purpose wrote are compared no more.
	ignored := map[string]bool{}
	previous := map[string]string{}
	for i, step := range rec.Steps {
		args := strings.Fields(step.Args) // script.txt quotes nothing
		for j, a := range args {
			if a == "$CONFIG1" {
				args[j] = strings.TrimSpace(string(config1))
			}
		}
		cmd := exec.Command(filepath.Join(binDir, "ksm"), args...)
		cmd.Dir = work
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "LANG=C.UTF-8"}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		exit := 0
		if err := cmd.Run(); err != nil {
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				t.Fatalf("step %d: %v", i+1, err)
			}
			exit = ee.ExitCode()
		}
		where := fmt.Sprintf("step %d: ksm %s", i+1, step.Args)
		all := step.Files
		if step.Differs != "" {
			for name, content := range all {
				if old, ok := previous[name]; !ok || old != content {
					ignored[name] = true
				}
			}
		}
		previous, step.Files = all, map[string]string{}
		for name, content := range all {
			if !ignored[name] {
				step.Files[name] = content
			}
		}
		if step.Differs != "" {
			t.Logf("%s: differs on purpose (%s): Keeper's CLI exit %d, ksm exit %d, stderr %q", where, step.Differs, step.Exit, exit, stderr.String())
			continue
		}
		if exit != step.Exit {
			t.Errorf("%s: exit %d, Keeper's CLI %d\nstderr: %s\nKeeper's stderr: %s", where, exit, step.Exit, stderr.String(), step.Stderr)
		}
		if stdout.String() != step.Stdout {
			t.Errorf("%s: stdout\n%q\nKeeper's CLI\n%q", where, stdout.String(), step.Stdout)
		}
		for name, want := range step.Files {
			got, err := os.ReadFile(filepath.Join(work, name))
			if err != nil || string(got) != want {
				t.Errorf("%s: %s is\n%s\nKeeper's CLI leaves\n%s", where, name, got, want)
			}
		}
		entries, _ := os.ReadDir(work)
		for _, e := range entries {
			if _, ok := step.Files[e.Name()]; !ok && !ignored[e.Name()] && !e.IsDir() && !strings.HasSuffix(e.Name(), ".lock") {
				t.Errorf("%s: ksm left %s, which Keeper's CLI does not", where, e.Name())
			}
		}
	}
}

// The fact ksm's warning rests on (issue 19 item 2), as recorded: Keeper's
// CLI 1.4 refuses every command on a keeper.ini holding one profile of a
// store it lacks. ksm reads the same file and marks that profile.
func TestKeeperCLIRefusesUnknownStorage(t *testing.T) {
	data, err := os.ReadFile("testdata/keepercli/keeper-cli-unknown-storage.json")
	if err != nil {
		t.Fatal(err)
	}
	var rec keeperRecording
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatal(err)
	}
	ini, err := os.ReadFile("testdata/keepercli/mixed.ini")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	if err := os.WriteFile(filepath.Join(work, "mixed.ini"), ini, 0o600); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"--ini-file mixed.ini profile list":        "        infile (ksm only)\n",
		"--ini-file mixed.ini profile list --json": `{"active": false, "name": "infile", "ksm_only": true}`,
		"--ini-file mixed.ini config show":         " Active Profile         _default\n",
	}
	if len(rec.Steps) != len(want) {
		t.Fatalf("the recording has %d steps, want %d", len(rec.Steps), len(want))
	}
	for _, step := range rec.Steps {
		if step.Exit != 1 || !strings.Contains(step.Stderr, "Unknown profile storage") {
			t.Errorf("Keeper's CLI %s: exit %d, %q; the recording no longer shows the refusal", step.Args, step.Exit, step.Stderr)
		}
		cmd := exec.Command(filepath.Join(binDir, "ksm"), strings.Fields(step.Args)...)
		cmd.Dir = work
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + work}
		out, err := cmd.Output()
		if err != nil || !strings.Contains(string(out), want[step.Args]) {
			t.Errorf("ksm %s: %v, stdout %q, want it to contain %q", step.Args, err, out, want[step.Args])
		}
	}
}
