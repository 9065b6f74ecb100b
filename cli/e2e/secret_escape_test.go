package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/ksm-cli/ksm/cli/internal/keeper/keepertest"
)

// Row (issue 17, item 7): what a record holds reaches the terminal escaped,
// with the escaper SECURITY.md rule 12 names. A title, label, value or note
// from Keeper with C1 (U+009B, a CSI on many terminals), bidi (U+202E,
// U+2066) or format characters (U+200B, U+FEFF) is shown as \uNNNN by
// `secret get` and `secret list`; their --json keeps the exact values, in
// JSON escapes. On 00475f8 all of them were printed raw.
func TestSecretOutputIsEscaped(t *testing.T) {
	const (
		hostileTitle = "Invoice \u202Efdp.exe"
		hostileLabel = "Lab\u2066el\u2069"
		hostileValue = "pass\u009b2Jword\u200b\ufeff\x1b]0;x\x07"
		hostileNote  = "note \u202e\u2066 line\nsecond \u009b line"
	)
	srv := keepertest.New(t)
	uid := srv.Put("", keepertest.Record{Title: hostileTitle, Type: "login",
		Fields: []keepertest.Field{{Type: "password", Value: []any{hostileValue}}},
		Custom: []keepertest.Field{{Type: "text", Label: hostileLabel, Value: []any{"x\u202ey"}}},
		Notes:  hostileNote,
	})
	work := t.TempDir()
	env := append(os.Environ(),
		"HOME="+work, "XDG_CONFIG_HOME="+filepath.Join(work, ".config"),
		"SSL_CERT_FILE="+srv.CAFile(), "KSM_SERVER_PUBLIC_KEY="+srv.PublicKey(),
		"KSM_CONFIG_SKIP_MODE_WARNING=TRUE")
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(filepath.Join(binDir, "ksm"), append([]string{"--ini-file", filepath.Join(work, "keeper.ini")}, args...)...)
		cmd.Env = env
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("ksm %s: %v: %s", strings.Join(args, " "), err, stderr.String())
		}
		if s := stderr.String(); unsafeRune(s) >= 0 {
			t.Errorf("ksm %s: stderr holds %U: %q", strings.Join(args, " "), []rune(s)[unsafeRune(s)], s)
		}
		return string(out)
	}
	run("profile", "init", "--hostname", srv.Host(), "--token", srv.NewToken())

	for _, args := range [][]string{{"secret", "get", uid}, {"secret", "list"}} {
		out := run(args...)
		if i := unsafeRune(out); i >= 0 {
			t.Errorf("ksm %s prints %U raw: %q", strings.Join(args, " "), []rune(out)[i], out)
		}
		if !strings.Contains(out, `Invoice \u202efdp.exe`) {
			t.Errorf("ksm %s: the title is not shown escaped: %q", strings.Join(args, " "), out)
		}
	}
	get := run("secret", "get", uid)
	for _, want := range []string{`pass\u009b2Jword\u200b\ufeff\x1b]0;x\x07`, `Lab\u2066el\u2069`, `x\u202ey`, ` note \u202e\u2066 line`, ` second \u009b line`} {
		if !strings.Contains(get, want) {
			t.Errorf("secret get lacks %q: %q", want, get)
		}
	}

	for _, args := range [][]string{{"secret", "get", uid, "--json"}, {"secret", "list", "--json"}} {
		out := run(args...)
		if i := unsafeRune(out); i >= 0 {
			t.Errorf("ksm %s prints %U raw: %q", strings.Join(args, " "), []rune(out)[i], out)
		}
		if !strings.Contains(out, `\u202e`) {
			t.Errorf("ksm %s: no JSON escape for U+202E: %q", strings.Join(args, " "), out)
		}
	}
	// The JSON still holds the exact values.
	var rec struct {
		Title  string `json:"title"`
		Notes  string `json:"notes"`
		Fields []struct {
			Value []string `json:"value"`
		} `json:"fields"`
		Custom []struct {
			Label string `json:"label"`
		} `json:"custom"`
	}
	if err := json.Unmarshal([]byte(run("secret", "get", uid, "--json")), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Title != hostileTitle || rec.Notes != hostileNote || len(rec.Fields) != 1 || rec.Fields[0].Value[0] != hostileValue ||
		len(rec.Custom) != 1 || rec.Custom[0].Label != hostileLabel {
		t.Errorf("--json changed the values: %+v", rec)
	}
	var list []struct {
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(run("secret", "list", "--json")), &list); err != nil || len(list) != 1 || list[0].Title != hostileTitle {
		t.Errorf("list --json: %+v %v", list, err)
	}
}

// unsafeRune is the index (in runes) of the first character in s that
// would act on a terminal or reorder text: a control other than newline,
// a format character, or a line or paragraph separator; -1 if none.
func unsafeRune(s string) int {
	for i, r := range []rune(s) {
		if r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029') {
			return i
		}
	}
	return -1
}
