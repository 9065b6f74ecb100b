package e2e

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestBashCompletionInteractive types into an interactive bash on a
// pseudo-terminal (script(1)) and reads what TAB does, as a user would see
// it: bash splits the words itself (completion.txtar feeds the function
// words split by hand).
func TestBashCompletionInteractive(t *testing.T) {
	if _, err := exec.LookPath("script"); err != nil {
		t.Fatal("this test needs script(1) (util-linux) for a pseudo-terminal")
	}
	dir := t.TempDir()
	ini, err := os.ReadFile("../../testdata/reference/two-profiles.ini")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "keeper.ini"), ini, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("script", "-qfec", "bash --norc --noprofile -i", "/dev/null")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + binDir + ":/usr/bin:/bin", "HOME=" + dir, "TERM=dumb", "PS1=READY> ",
		"KSM_INI_DIR=" + dir, "XDG_CONFIG_HOME=" + filepath.Join(dir, ".config")}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var out bytes.Buffer
	cmd.Stdout = writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return out.Write(p)
	})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		in.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	mark := 0
	// await waits until everything in want shows up after the last mark.
	await := func(step string, want ...string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			mu.Lock()
			seen := strings.ReplaceAll(out.String()[mark:], "\r", "")
			mu.Unlock()
			missing := ""
			for _, w := range want {
				if !strings.Contains(seen, w) {
					missing = w
					break
				}
			}
			if missing == "" {
				if strings.Contains(seen, "Error:") {
					t.Fatalf("%s: ksm printed an error:\n%s", step, seen)
				}
				mu.Lock()
				mark = out.Len()
				mu.Unlock()
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %q never appeared; the terminal showed:\n%q", step, missing, seen)
			}
			time.Sleep(20 * time.Millisecond) // polling the terminal's output, with a deadline
		}
	}
	send := func(s string) {
		t.Helper()
		if _, err := io.WriteString(in, s); err != nil {
			t.Fatal(err)
		}
	}
	await("start", "READY> ")
	send("source <(ksm completion bash)\n")
	await("source", "READY> ")

	steps := []struct {
		name, typed string
		want        []string
	}{
		{"subcommand", "ksm profile sh\t", []string{"ksm profile show "}},
		{"-<TAB>: the common -- first, then the list", "ksm profile list -\t\t\t", []string{"--json", "--timeout", "--ini-file"}},
		{"--<TAB><TAB>", "ksm profile list --\t\t", []string{"--json", "--profile"}},
		{"profile name", "ksm profile show s\t", []string{"ksm profile show second "}},
		{"--profile=", "ksm --profile=_\t", []string{"ksm --profile=_default "}},
		{"store type", "ksm profile setup --type f\t", []string{"--type file "}},
	}
	for _, s := range steps {
		send(s.typed)
		await(s.name, s.want...)
		send("\x03") // Ctrl-C: drop the line, new prompt
		await(s.name, "READY> ")
	}
	send("exit\n")
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
