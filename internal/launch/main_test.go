package launch

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	hclog "github.com/hashicorp/go-hclog"

	"github.com/ksm-cli/ksm/shared"
)

var faultyPath string

// TestMain builds testdata/faulty, named as a real plugin, before any test
// runs: a build inside a timed test would count against its timeout.
func TestMain(m *testing.M) {
	binDir, err := os.MkdirTemp("", "ksm-shared-test-")
	if err == nil {
		faultyPath = filepath.Join(binDir, shared.BinaryPrefix+"faulty")
		var out []byte
		out, err = exec.Command("go", "build", "-o", faultyPath, "./testdata/faulty").CombinedOutput()
		if err != nil {
			err = fmt.Errorf("build testdata/faulty: %v\n%s", err, out)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// As ksm does before its first plugin (the sweep spares this binary's
	// own children: none of the tests' leaves its process group but the
	// orphans they make on purpose).
	AdoptOrphans()
	code := m.Run()
	_ = os.RemoveAll(binDir)
	os.Exit(code)
}

func faultyBinary(testing.TB) string { return faultyPath }

// syncBuffer collects the host's log; go-plugin writes it from goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func testLogger(level hclog.Level) (hclog.Logger, *syncBuffer) {
	buf := &syncBuffer{}
	return hclog.New(&hclog.LoggerOptions{Output: buf, Level: level}), buf
}

// pids reads the pids the faulty plugin (and its children) recorded.
func pids(t *testing.T, pidfile string) []int {
	t.Helper()
	data, err := os.ReadFile(pidfile)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []int
	for _, f := range strings.Fields(string(data)) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pid)
	}
	return out
}
