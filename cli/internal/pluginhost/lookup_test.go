package pluginhost

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFindAgreesWithDiscover: Find's direct lookup picks the plugin that
// Discover marks as in use, whatever the earlier directories hold.
func TestFindAgreesWithDiscover(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	writeExe(t, filepath.Join(a, "ksm-storage-noexec"), "n", 0o644)
	writeExe(t, filepath.Join(b, "ksm-storage-noexec"), "n", 0o755)
	os.Mkdir(filepath.Join(a, "ksm-storage-dir"), 0o755)
	writeExe(t, filepath.Join(c, "ksm-storage-dir"), "d", 0o755)
	writeExe(t, filepath.Join(a, "ksm-storage-file"), "a", 0o755)
	writeExe(t, filepath.Join(c, "ksm-storage-file"), "c", 0o755)
	writeExe(t, filepath.Join(c, "target"), "t", 0o755)
	if err := os.Symlink(filepath.Join(c, "target"), filepath.Join(b, "ksm-storage-link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(c, "missing"), filepath.Join(a, "ksm-storage-link")); err != nil {
		t.Fatal(err)
	}
	dirs := []string{a, "/nonexistent", b, c}
	inUse := map[string]string{}
	for _, p := range Discover(dirs) {
		if p.ShadowedBy == "" {
			inUse[p.Type] = p.Path
		}
	}
	for _, typ := range []string{"noexec", "dir", "file", "link", "absent"} {
		p, err := Find(dirs, typ)
		if (err == nil) != (inUse[typ] != "") || p.Path != inUse[typ] {
			t.Errorf("Find(%s) = %q, %v; Discover has %q in use", typ, p.Path, err, inUse[typ])
		}
	}
}
