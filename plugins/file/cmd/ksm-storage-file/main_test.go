//go:build unix

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/ksm-cli/ksm/internal/launch"
	"github.com/ksm-cli/ksm/internal/storecall"
	"github.com/ksm-cli/ksm/sdk/storagetest"
	"github.com/ksm-cli/ksm/shared"
)

var binary string

func TestMain(m *testing.M) { storagetest.Main(m, ".", "file", &binary) }

func TestConformance(t *testing.T) {
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notes, []byte("not a config"), 0o600); err != nil {
		t.Fatal(err)
	}
	storagetest.Run(t, storagetest.Config{
		Binary:       binary,
		ValidOptions: map[string]string{"path": filepath.Join(dir, "ksm.json")},
		InvalidOptions: []map[string]string{
			{"path": ""},
			{"path": dir},
		},
		MissingSettings: shared.Settings{"path": filepath.Join(dir, "missing.json")},
	})
}

// startPlugin starts the built plugin the way ksm does.
func startPlugin(tb testing.TB) *launch.Conn {
	tb.Helper()
	conn, err := launch.Launch(context.Background(), launch.LaunchConfig{Cmd: exec.Command(binary)})
	if err != nil {
		tb.Fatal(err)
	}
	return conn
}

// The plugin process writes 0600 files whatever umask it inherits.
func TestSavedFileIsPrivateUnderUmask000(t *testing.T) {
	old := syscall.Umask(0)
	conn := startPlugin(t)
	syscall.Umask(old)
	defer conn.Close()
	path := filepath.Join(t.TempDir(), "ksm.json")
	err := storecall.Save(context.Background(), conn.Store, shared.SaveRequest{Settings: shared.Settings{"path": path}, Config: storagetest.FakeConfig()})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + ".lock"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", p, fi.Mode().Perm())
		}
	}
}

// BenchmarkLaunchDescribeClose is what a ksm command pays for the plugin.
func BenchmarkLaunchDescribeClose(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		conn := startPlugin(b)
		if _, err := storecall.Describe(ctx, conn.Store); err != nil {
			b.Fatal(err)
		}
		if err := conn.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLaunchLoadClose: a file-stored profile's config, start to end.
func BenchmarkLaunchLoadClose(b *testing.B) {
	path := filepath.Join(b.TempDir(), "ksm.json")
	if err := os.WriteFile(path, shared.MarshalConfig(storagetest.FakeConfig()), 0o600); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		conn := startPlugin(b)
		if _, err := storecall.Load(ctx, conn.Store, shared.Settings{"path": path}); err != nil {
			b.Fatal(err)
		}
		if err := conn.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
