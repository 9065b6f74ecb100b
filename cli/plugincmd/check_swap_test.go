package plugincmd

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	hclog "github.com/hashicorp/go-hclog"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/iostreams"
	"github.com/ksm-cli/ksm/internal/testenv"
)

// A file renamed over the plugin's path after plugin check opened and
// checked it is never run: every start runs the checked file.
func TestCheckRunsTheCheckedFile(t *testing.T) {
	if runtime.GOOS != "linux" {
		testenv.Skip(t, "not-linux", "elsewhere the plugin runs by its path (no /proc/self/fd); the ownership rule keeps others from swapping it")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "ksm-storage-swapped")
	build := exec.Command("go", "build", "-o", path, "../../internal/conformance/testdata/faulty")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	// The impostor leaves a mark and fails every start.
	marker := filepath.Join(dir, "impostor-ran")
	impostor := filepath.Join(dir, "impostor")
	if err := os.WriteFile(impostor, []byte("#!/bin/sh\ntouch "+marker+"\nexit 7\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	checkOpened = func(p string) {
		if err := os.Rename(impostor, p); err != nil {
			t.Errorf("swap: %v", err)
		}
	}
	t.Cleanup(func() { checkOpened = func(string) {} })

	io, out, _ := iostreams.Test("")
	f := &cmdutil.Factory{IO: io, Log: hclog.NewNullLogger(), Getenv: os.Getenv, Timeout: 5 * time.Second,
		Plugins: cmdutil.PluginSettings{StartTimeout: 10 * time.Second}}
	opts := &checkOptions{f: f}
	if err := opts.options.Set("slot=here"); err != nil {
		t.Fatal(err)
	}
	err := runCheck(context.Background(), opts, path)
	if _, serr := os.Stat(marker); serr == nil {
		t.Errorf("the file swapped in after the check ran")
	}
	if err != nil || !strings.Contains(out.String(), " 0 failed") {
		t.Errorf("check of the checked file: %v\n%s", err, out)
	}
}
