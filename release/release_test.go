// Package release checks what `make release-snapshot` produced in dist/:
// the checksums, and ksm run from the installed .deb and from the archive.
// It runs only when KSM_RELEASE_DIST names that directory (the make target
// sets it).
package release

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/internal/testenv"
)

func dist(t *testing.T) string {
	dir := os.Getenv("KSM_RELEASE_DIST")
	if dir == "" {
		testenv.Skip(t, "no-release-dist", "KSM_RELEASE_DIST is not set: run `make release-snapshot`")
	}
	return dir
}

// plugins is the Makefile's PLUGINS.
func plugins(t *testing.T) []string {
	out, err := exec.Command("make", "-C", "..", "--no-print-directory", "-s", "plugins").Output()
	if err != nil {
		t.Fatalf("make plugins: %v", err)
	}
	return strings.Fields(string(out))
}

func TestReleaseChecksums(t *testing.T) {
	dir := dist(t)
	data, err := os.ReadFile(filepath.Join(dir, "checksums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	var names []string
	for _, line := range lines {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("checksums.txt: bad line %q", line)
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got := sha256.Sum256(b)
		if hex.EncodeToString(got[:]) != sum {
			t.Errorf("%s: checksum does not match checksums.txt", name)
		}
		names = append(names, name)
	}
	for _, suffix := range []string{".tar.gz", ".deb", ".rpm"} {
		if !slices.ContainsFunc(names, func(n string) bool { return strings.HasSuffix(n, suffix) }) {
			t.Errorf("checksums.txt lists no %s: %q", suffix, names)
		}
	}
}

// The .deb, unpacked as dpkg would install it: ksm in /usr/bin with the
// plugins beside it, trusted as built with it, and the completions where
// the shells look.
func TestReleaseDeb(t *testing.T) {
	dir := dist(t)
	if runtime.GOOS != "linux" {
		testenv.Skip(t, "not-linux", "the .deb is for linux")
	}
	debs, _ := filepath.Glob(filepath.Join(dir, "*_"+debArch()+".deb"))
	if len(debs) != 1 {
		t.Fatalf("want one .deb for %s in %s, found %q", debArch(), dir, debs)
	}
	root := t.TempDir()
	if out, err := exec.Command("dpkg-deb", "-x", debs[0], root).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -x: %v\n%s", err, out)
	}
	for _, f := range []string{
		"usr/share/bash-completion/completions/ksm",
		"usr/share/zsh/vendor-completions/_ksm",
		"usr/share/fish/vendor_completions.d/ksm.fish",
		"usr/share/doc/ksm/README.md",
	} {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			t.Errorf("the .deb lacks /%s", f)
		}
	}
	runInstalled(t, filepath.Join(root, "usr", "bin"))
}

// The archive for this platform: ksm, the plugins, completions, README.
func TestReleaseArchive(t *testing.T) {
	dir := dist(t)
	archives, _ := filepath.Glob(filepath.Join(dir, "ksm_*_"+runtime.GOOS+"_"+runtime.GOARCH+".tar.gz"))
	if len(archives) != 1 {
		t.Fatalf("want one archive for %s/%s in %s, found %q", runtime.GOOS, runtime.GOARCH, dir, archives)
	}
	root := t.TempDir()
	names := untar(t, archives[0], root)
	want := []string{"README.md", "completions/_ksm", "completions/ksm.bash", "completions/ksm.fish", "ksm"}
	for _, p := range plugins(t) {
		want = append(want, "ksm-storage-"+p)
	}
	slices.Sort(want)
	slices.Sort(names)
	if !slices.Equal(names, want) {
		t.Errorf("archive holds %q, want %q", names, want)
	}
	runInstalled(t, root)
}

// runInstalled runs the ksm in bin on a keeper.ini of Keeper's, and checks
// that it trusts the plugins beside it as built with it.
func runInstalled(t *testing.T, bin string) {
	t.Helper()
	home := t.TempDir()
	ref, err := os.ReadFile("../testdata/reference/two-profiles.ini")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "keeper.ini"), ref, 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		cmd := exec.Command(filepath.Join(bin, "ksm"), args...)
		cmd.Dir = home
		cmd.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin", "KSM_INI_DIR=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config")}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("ksm %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	want, err := os.ReadFile("../testdata/reference/list-two-profiles.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got := run("profile", "list"); got != string(want) {
		t.Errorf("installed ksm profile list:\n%s\nwant Keeper's:\n%s", got, want)
	}
	list := run("plugin", "list")
	for _, p := range plugins(t) {
		path := filepath.Join(bin, "ksm-storage-"+p)
		if !strings.Contains(list, " bundled  "+path) {
			t.Errorf("installed ksm does not trust %s as bundled:\n%s", path, list)
		}
	}
}

// debArch is Debian's name for this architecture (the same as Go's for
// the two we release).
func debArch() string { return runtime.GOARCH }

func untar(t *testing.T, archive, dir string) []string {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg || strings.Contains(h.Name, "..") {
			continue
		}
		names = append(names, h.Name)
		path := filepath.Join(dir, h.Name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, os.FileMode(h.Mode)&0o755)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, tr); err != nil {
			t.Fatal(err)
		}
		out.Close()
	}
}

// The image holds what CI tests: its build stage runs `make build`, and the
// final stage copies that output whole (ksm with its plugins beside it).
func TestDockerfileBuildsWithMake(t *testing.T) {
	data, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, want := range []string{"RUN make build BIN=/out ", "COPY --from=build /out/ /usr/local/bin/", "USER nonroot", "FROM gcr.io/distroless/static"} {
		if !strings.Contains(s, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
}
