package conformance

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/internal/setupflags"
	"github.com/ksm-cli/ksm/shared"
)

// docs/plugin-protocol.md repeats facts the code owns; these tests tie
// each copy to its owner.
func readProtocolDoc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../docs/plugin-protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDocHandshakeExampleParses(t *testing.T) {
	doc := readProtocolDoc(t)
	line := regexp.MustCompile("(?m)^1\\|1\\|unix\\|[^\n]*$").FindString(doc)
	if line == "" {
		t.Fatal("no handshake line example in the doc")
	}
	if _, err := parseHandshake(line, "/run/user/1000/ksm-123"); err != nil {
		t.Errorf("the doc's handshake line %q: %v", line, err)
	}
}

func TestDocEnvironment(t *testing.T) {
	doc := readProtocolDoc(t)
	for _, kv := range handshakeEnv("/dir") {
		name, value, _ := strings.Cut(kv, "=")
		if name == "PYTHONUNBUFFERED" { // the check's own, not ksm's
			continue
		}
		if !strings.Contains(doc, "`"+name+"`") {
			t.Errorf("the doc does not name %s", name)
		}
		if name == shared.MagicCookieKey && !strings.Contains(doc, "`"+value+"`") {
			t.Errorf("the doc does not give the cookie value %s", value)
		}
	}
}

func TestDocReservedNames(t *testing.T) {
	doc := readProtocolDoc(t)
	var quoted []string
	for _, n := range setupflags.ReservedNames() {
		quoted = append(quoted, "`"+n+"`")
	}
	if want := strings.Join(quoted, ", "); !strings.Contains(strings.Join(strings.Fields(doc), " "), want) {
		t.Errorf("the doc does not list the reserved names as %s", want)
	}
}

// Every code of the contract appears in the doc's table, by its gRPC name.
func TestDocErrorCodes(t *testing.T) {
	doc := readProtocolDoc(t)
	grpcNames := map[shared.Code]string{
		shared.CodeUnknown: "UNKNOWN", shared.CodeInvalidArgument: "INVALID_ARGUMENT", shared.CodeNotFound: "NOT_FOUND",
		shared.CodeAlreadyExists: "ALREADY_EXISTS", shared.CodePermissionDenied: "PERMISSION_DENIED",
		shared.CodeUnauthenticated: "UNAUTHENTICATED", shared.CodeUnavailable: "UNAVAILABLE",
		shared.CodeDeadlineExceeded: "DEADLINE_EXCEEDED", shared.CodeUnimplemented: "UNIMPLEMENTED",
		shared.CodeFailedPrecondition: "FAILED_PRECONDITION", shared.CodeCanceled: "CANCELLED",
	}
	for c := shared.Code(0); c == 0 || c.String() != "unknown"; c++ {
		name, ok := grpcNames[c]
		if !ok {
			t.Fatalf("code %v has no gRPC name here; add it and to the doc", c)
		}
		if !regexp.MustCompile("(?m)^\\|.*\\| `" + name + "` \\|$").MatchString(doc) {
			t.Errorf("the doc's error table has no row for %s", name)
		}
	}
}
