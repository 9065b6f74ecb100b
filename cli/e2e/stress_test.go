//go:build linux

package e2e

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ksm-cli/ksm/cli/internal/inifile"
	"github.com/ksm-cli/ksm/internal/testenv"
)

// The long runs of the reliability battery: `make stress` sets KSM_STRESS.
// `make test` runs the short forms (TestCrashDuringWrites,
// TestConcurrentImports).
func stress(t *testing.T) {
	t.Helper()
	if os.Getenv("KSM_STRESS") == "" {
		testenv.Skip(t, "no-stress", "a long run: set KSM_STRESS=1 (make stress)")
	}
}

// 200 writes, each SIGKILLed at a chosen or random point (see
// TestCrashDuringWrites).
func TestStressCrashes(t *testing.T) {
	stress(t)
	runCrashes(t, 200)
}

// 128 writers at once on one keeper.ini, a third of them SIGKILLed at
// random moments (while waiting for the lock, holding it, or writing),
// with readers running throughout: readers only ever see whole profiles,
// every writer that was not killed lands, a killed one lands whole or not
// at all, and the next write cleans up after them. Three rounds.
func TestStressConcurrentWritersWithKills(t *testing.T) {
	stress(t)
	const writers = 128
	versions := crashVersions(t)
	seed := uint64(crashSeed)
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))

	for round := range 3 {
		t.Run(fmt.Sprint("round", round), func(t *testing.T) {
			dir := t.TempDir()
			ini := filepath.Join(dir, iniName)
			want := map[string]int{} // profile -> version
			var cmds []*exec.Cmd
			var victims []int
			delays := map[int]time.Duration{}
			for i := range writers {
				name := fmt.Sprintf("w%d", i)
				v := rng.IntN(len(versions))
				want[name] = v
				cmds = append(cmds, ksm("--ini-file", ini, "profile", "import", "-p", name, versions[v].b64))
				if rng.IntN(3) == 0 {
					victims = append(victims, i)
					delays[i] = time.Duration(rng.Int64N(int64(time.Second)))
				}
			}

			var stop atomic.Bool
			var reads atomic.Int64
			readErr := make(chan error, 1)
			var readers sync.WaitGroup
			for range 2 {
				readers.Add(1)
				go func() {
					defer readers.Done()
					for !stop.Load() {
						if err := checkWhole(ini, want, versions); err != nil {
							select {
							case readErr <- err:
							default:
							}
							return
						}
						reads.Add(1)
					}
				}()
			}

			for _, c := range cmds {
				if err := c.Start(); err != nil {
					t.Fatal(err)
				}
			}
			for _, i := range victims {
				time.AfterFunc(delays[i], func() { _ = cmds[i].Process.Signal(syscall.SIGKILL) })
			}
			killed := map[string]bool{}
			for i, c := range cmds {
				err := c.Wait()
				name := fmt.Sprintf("w%d", i)
				if ws, ok := c.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
					killed[name] = true
					continue
				}
				if err != nil {
					t.Errorf("writer %s: %v", name, err)
				}
			}
			stop.Store(true)
			readers.Wait()
			select {
			case err := <-readErr:
				t.Fatal(err)
			default:
			}

			st, err := readState(ini)
			if err != nil {
				t.Fatal(err)
			}
			landed := 0
			for name := range want {
				has := st.book.Has(name)
				if !has && !killed[name] {
					t.Errorf("writer %s was not killed, but its profile is missing", name)
				}
				if has {
					landed++
				}
			}
			if err := checkWhole(ini, want, versions); err != nil {
				t.Fatal(err)
			}
			// The next write succeeds and leaves no temp file behind.
			if out, err := ksm("--ini-file", ini, "profile", "import", "-p", "after", "--force", versions[0].b64).CombinedOutput(); err != nil {
				t.Fatalf("write after the kills: %v: %s", err, out)
			}
			if n := tempFiles(t, dir); n > 0 {
				t.Errorf("%d temp files left", n)
			}
			if mode, loose := inifile.LooseMode(ini); loose {
				t.Errorf("keeper.ini has mode %04o", mode)
			}
			t.Logf("%d writers, %d killed, %d profiles landed; %d reads during the writes", writers, len(killed), landed, reads.Load())
		})
	}
}

// checkWhole reads keeper.ini as ksm does: it must parse, and each writer's
// profile in it must be exactly the config that writer imported.
func checkWhole(ini string, want map[string]int, versions []crashVersion) error {
	st, err := readState(ini)
	if err != nil || !st.exists {
		return err
	}
	for _, name := range st.book.Names() {
		v, ok := want[name]
		if !ok {
			continue
		}
		p, err := st.book.Get(name)
		if err != nil {
			return err
		}
		if !maps.Equal(p.Config, versions[v].want) {
			return fmt.Errorf("profile %s is not the config its writer imported", name)
		}
	}
	return nil
}
