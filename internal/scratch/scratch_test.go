package scratch

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// What a killed ksm left (its pid is gone) is removed by the next one;
// what a live process holds, and what is not ours by name, stays.
func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	deadPID := strconv.Itoa(1 << 30) // above any pid_max
	for _, name := range []string{
		"ksm-check-" + deadPID + "-a",                        // stale: removed
		"ksm-check-1-a",                                      // pid 1 lives: kept
		"ksm-check-" + strconv.Itoa(os.Getpid()) + "-a",      // ours, live: kept
		"ksm-check-x-a", "ksm-check-" + deadPID, "other-1-a", // not our names: kept
	} {
		if err := os.Mkdir(filepath.Join(dir, name), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	RemoveStale(dir, "ksm-check-")
	for name, want := range map[string]bool{
		"ksm-check-" + deadPID + "-a": false, "ksm-check-1-a": true,
		"ksm-check-" + strconv.Itoa(os.Getpid()) + "-a": true,
		"ksm-check-x-a": true, "ksm-check-" + deadPID: true, "other-1-a": true,
	} {
		_, err := os.Stat(filepath.Join(dir, name))
		if got := err == nil; got != want {
			t.Errorf("%s exists = %v, want %v", name, got, want)
		}
	}
}

// RemoveAll (the stop-signal path) removes what is held; remove forgets.
func TestRemoveAll(t *testing.T) {
	dir := t.TempDir()
	d, _, err := MkdirTemp(dir, "ksm-plugin-check-")
	if err != nil {
		t.Fatal(err)
	}
	f, removeFile, err := CreateTemp(dir, ".install-")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	removeFile()
	kept := filepath.Join(dir, "renamed")
	g, _, err := CreateTemp(dir, ".install-")
	if err != nil {
		t.Fatal(err)
	}
	g.Close()
	if err := os.Rename(g.Name(), kept); err != nil {
		t.Fatal(err)
	}
	RemoveAll()
	for _, p := range []string{d, f.Name()} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s still exists (%v)", p, err)
		}
	}
	if _, err := os.Stat(kept); err != nil {
		t.Errorf("a renamed file was removed: %v", err)
	}
}
