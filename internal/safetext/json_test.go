package safetext

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// JSON leaves no character Escape would escape (other than layout) and
// still decodes to the same value.
func TestJSON(t *testing.T) {
	values := []string{
		"plain",
		"c1 \u009b2J csi",
		"bidi \u202egnp.exe \u2066isolate\u2069",
		"zero width \u200b and bom \ufeff",
		"del \x7f",
		"esc \x1b[31m, newline \n, tab \t",
		"line sep \u2028 para \u2029",
		"tag \U000e0041 (a format character beyond the BMP)",
		"naïve 日本 🙂",
	}
	for _, v := range values {
		enc, err := json.MarshalIndent(map[string]any{"value": v, "list": []string{v}}, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		got := JSON(string(enc))
		for _, line := range strings.Split(got, "\n") {
			if Escape(strings.ReplaceAll(line, " ", "")) != strings.ReplaceAll(line, " ", "") {
				t.Errorf("JSON(%q) leaves an unsafe character: %q", v, line)
			}
		}
		var back struct {
			Value string   `json:"value"`
			List  []string `json:"list"`
		}
		if err := json.Unmarshal([]byte(got), &back); err != nil || back.Value != v || back.List[0] != v {
			t.Errorf("JSON(%q) = %q decodes to %q (%v)", v, got, back.Value, err)
		}
	}
	if got := JSON("\"bad \xff\""); got != `"bad \ufffd"` || !utf8.ValidString(got) {
		t.Errorf("invalid UTF-8: %q", got)
	}
}
