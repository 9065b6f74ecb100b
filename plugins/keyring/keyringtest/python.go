package keyringtest

import (
	_ "embed"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// KeeperScript is keeper_keyring.py: Keeper's CLI 1.4 keyring layout
// through Python's keyring library.
//
//go:embed keeper_keyring.py
var KeeperScript string

// Python is Debian's interpreter, which has python3-keyring and
// python3-secretstorage (other interpreters on PATH may lack them).
const Python = "/usr/bin/python3"

// pythonBackend makes Python's keyring use the Secret Service, whatever
// the machine's keyringrc says.
const pythonBackend = "PYTHON_KEYRING_BACKEND=keyring.backends.SecretService.Keyring"

// Keeper runs keeper_keyring.py with args (and stdin) in the session, and
// returns its stdout; a failure is returned, not fatal, since some tests
// expect Python to refuse.
func (s *Session) Keeper(t testing.TB, stdin string, args ...string) (string, error) {
	t.Helper()
	RequirePython(t)
	script := filepath.Join(s.Home, "keeper_keyring.py")
	if _, err := os.Stat(script); err != nil {
		if err := os.WriteFile(script, []byte(KeeperScript), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(Python, append([]string{script}, args...)...)
	cmd.Env = append(append([]string{}, s.Env...), pythonBackend)
	cmd.Stdin = strings.NewReader(stdin)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), &PythonError{Err: err, Stderr: strings.TrimSpace(stderr.String())}
	}
	return string(out), nil
}

// PythonError is a failed keeper_keyring.py run.
type PythonError struct {
	Err    error
	Stderr string
}

func (e *PythonError) Error() string { return e.Err.Error() + ": " + e.Stderr }

// RequirePython fails the test, naming the packages, when Debian's Python
// lacks keyring or secretstorage.
func RequirePython(t testing.TB) {
	t.Helper()
	out, err := exec.Command(Python, "-c", "import keyring, secretstorage").CombinedOutput()
	if err != nil {
		t.Fatalf("keyringtest: %s cannot import keyring and secretstorage (%v: %s); install them with `apt-get install python3-keyring python3-secretstorage` (or run `make test-tools`)",
			Python, err, strings.TrimSpace(string(out)))
	}
}
