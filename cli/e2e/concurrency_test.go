package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ksm-cli/ksm/cli/internal/inifile"
	"github.com/ksm-cli/ksm/cli/internal/profiles"
)

func ksm(args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(binDir, "ksm"), args...)
	cmd.Env = append(os.Environ(), "KSM_CONFIG_SKIP_MODE_WARNING=TRUE")
	return cmd
}

func config1(t *testing.T) string {
	b, err := os.ReadFile("../../testdata/reference/config1.b64")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// N writers started at once on one keeper.ini all land; readers running at
// the same time never see a partial file.
func TestConcurrentImports(t *testing.T) {
	for _, writers := range []int{32, 64} {
		t.Run(fmt.Sprint(writers), func(t *testing.T) {
			ini := filepath.Join(t.TempDir(), "keeper.ini")
			cfg := config1(t)
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make(chan error, writers)
			for i := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					out, err := ksm("--ini-file", ini, "profile", "import", "-p", fmt.Sprintf("p%d", i), cfg).CombinedOutput()
					if err != nil {
						errs <- fmt.Errorf("writer %d: %v: %s", i, err, out)
					}
				}()
			}
			var stop atomic.Bool
			var reads atomic.Int64
			readerDone := make(chan struct{})
			go func() {
				defer close(readerDone)
				for !stop.Load() {
					if _, err := os.Stat(ini); err != nil {
						continue // not created yet
					}
					out, err := ksm("--ini-file", ini, "profile", "list", "--json").CombinedOutput()
					if err != nil {
						errs <- fmt.Errorf("reader saw a bad file: %v: %s", err, out)
						return
					}
					reads.Add(1)
				}
			}()
			close(start)
			wg.Wait()
			stop.Store(true)
			<-readerDone
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			f, err := inifile.Read(ini)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(profiles.NewBook(f).Names()); got != writers {
				t.Errorf("%d profiles, want %d", got, writers)
			}
			if mode, loose := inifile.LooseMode(ini); loose {
				t.Errorf("mode %04o", mode)
			}
			t.Logf("%d concurrent reads succeeded", reads.Load())
		})
	}
}
