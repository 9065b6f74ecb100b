// Package testenv names why a test skips, in one form the skip census
// counts: "skip-reason: <id>: <why>". A skip that does not go through
// Skip is one the census cannot group (and the lead's allow-list refuses).
package testenv

import (
	"fmt"
	"regexp"
	"testing"
)

// Prefix starts every skip message; `go test -v` prints it after "SKIP:".
const Prefix = "skip-reason: "

// validID: lower-case words joined by '-', short enough to group on.
var validID = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Skip skips t with its reason: id groups skips across the tree (for
// example "needs-root", "no-vault", "short"), why says what a reader needs
// to know about this one.
func Skip(t testing.TB, id, why string) {
	t.Helper()
	t.Skip(Message(t, id, why))
}

// Message is the skip message Skip gives, for a caller that must skip in
// another way (testscript's ts.Skip).
func Message(t testing.TB, id, why string) string {
	t.Helper()
	if !validID.MatchString(id) || len(id) > 40 {
		t.Fatalf("testenv.Skip: reason id %q is not lower-case words joined by '-'", id)
	}
	return fmt.Sprintf("%s%s: %s", Prefix, id, why)
}
