//go:build unix

package testuser

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
)

// Rerun runs test t again as the unprivileged user when the tests run as
// root, in a copy of the test binary selecting exactly t, and reports
// whether it did: the caller then returns, its result being the child's.
// Run unprivileged already, it returns false and the caller goes on.
// So a row meant for a non-root user runs in both kinds of run, never
// skipped because CI runs as root.
func Rerun(t *testing.T) bool {
	t.Helper()
	if os.Geteuid() != 0 {
		return false
	}
	parts := strings.Split(t.Name(), "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	cmd := Command(t, Binary(t), "TMPDIR="+Dir(t))
	cmd.Args = append(cmd.Args, "-test.run", strings.Join(parts, "/"), "-test.v", "-test.count=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s as uid %d: %v\n%s", t.Name(), UID, err, out)
	}
	if !bytes.Contains(out, []byte("--- PASS: "+t.Name()+" ")) {
		t.Fatalf("%s as uid %d did not pass (skipped, or not selected):\n%s", t.Name(), UID, out)
	}
	t.Logf("ran as uid %d: passed", UID)
	return true
}
