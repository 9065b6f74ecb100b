package inifile

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/ini.v1"
)

// fastSeeds are inputs on both sides of the plain layout's edge.
var fastSeeds = []string{
	"",
	"[_config]\nactive_profile = a\neditor\n\n[a]\nclientid = x==\nhostname: keepersecurity.eu\n",
	"[a]\r\nk = v\r\nbare\r\n",
	"  [a]  \n  K = V  \n\tkey=\n",
	"[a] # c\nk = v\n",
	"[a] x\nk = v\n",
	"# comment\n[a]\nk = v\n",
	"[a]\nk = v ; not a comment here\n",
	"[a]\nk = \"quoted\"\nk2 = `raw`\n",
	"[a]\nk = \"\"\"multi\nline\"\"\"\n",
	"[a]\n\"q\" = v\n",
	"[a]\n- = one\n- = two\n",
	"[a]\n= v\n",
	"[a\nk = v\n",
	"[]\n",
	"[a]\nk = v\n[a]\nk2 = v2\nk = again\n",
	"k = before any section\n",
	"\xef\xbb\xbf[a]\nk = v\n",
	"[a]\nk = v \\\nnext = line\n",
	"[a]\nk = %(other)s\nother = x\n",
	"[a]\nk\u00a0= v\u2028\n",
	"[a]\nk = a:b=c\n",
	"[a]\nk\n",
}

func FuzzFastParse(f *testing.F) {
	for _, s := range fastSeeds {
		f.Add([]byte(s))
	}
	for _, name := range []string{"two-profiles.ini", "aws-profiles.ini", "export-plain.txt"} {
		b, err := os.ReadFile(fixtures + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFastParse(t, data)
	})
}

func TestFastParseMatchesIniV1(t *testing.T) {
	for _, s := range fastSeeds {
		checkFastParse(t, []byte(s))
	}
	if f, ok := parseFast(string(bigIniData(1000))); !ok || len(f.Sections()) != 1002 {
		t.Error("a plain 1,000-profile file did not take the fast path")
	}
}

// checkFastParse: where parseFast takes data, it yields what ini.v1 does;
// and encodeFast, where it writes, writes what ini.v1 does.
func checkFastParse(t *testing.T, data []byte) {
	t.Helper()
	want, werr := ini.LoadSources(loadOptions, data)
	got, ok := parseFast(string(data))
	if werr == nil {
		checkFastEncode(t, want)
	}
	if !ok {
		return
	}
	if werr != nil {
		t.Fatalf("parseFast accepted %q, which ini.v1 rejects: %v", data, werr)
	}
	if g, w := dump(got), dump(want); g != w {
		t.Fatalf("parseFast(%q) differs from ini.v1:\ngot  %s\nwant %s", data, g, w)
	}
	if got.BlockMode != want.BlockMode {
		t.Fatalf("BlockMode %v, ini.v1 leaves %v", got.BlockMode, want.BlockMode)
	}
}

func checkFastEncode(t *testing.T, f *ini.File) {
	t.Helper()
	var want, got bytes.Buffer
	_, _ = f.WriteTo(&want)
	if encodeFast(f, &got) && got.String() != want.String() {
		t.Fatalf("encodeFast differs from ini.v1:\ngot  %q\nwant %q", got.String(), want.String())
	}
}

func TestFastEncodeMatchesIniV1(t *testing.T) {
	values := []string{"", "plain", " lead", "trail ", "has`tick", "a\nb", `"""x`, `"q"`, "'q'",
		"a#b", "a;b", "x = y", "%(k)s", "\u00a0nb"}
	keys := []string{"k", "K", "a b", "a=b", "a:b", `a"b`, "a`b", "#1"}
	for _, k := range keys {
		for _, v := range values {
			f := New()
			f.Section("p").Key(k).SetValue(v)
			checkFastEncode(t, f)
			f.Section("p").Key(k).Comment = "c"
			checkFastEncode(t, f)
		}
	}
	f := New()
	f.Section(ini.DefaultSection).Key("k").SetValue("v")
	checkFastEncode(t, f)
	f = ini.Empty()
	f.Section("default").Key("k").SetValue("v")
	checkFastEncode(t, f)
	f = ini.Empty()
	checkFastEncode(t, f)
	f = New()
	f.Section("p").Comment = "c"
	checkFastEncode(t, f)
	f = New()
	f.Section("p").TrailingComment = "c"
	checkFastEncode(t, f)
	big, err := Parse(bigIniData(100))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if !encodeFast(big, &b) {
		t.Error("a plain file did not take the fast path")
	}
	checkFastEncode(t, big)
}

// TestBooleanFlagFound fails if ini.v1 renames the flag bareKeys reads;
// the fallback still works, but every IsBare would write the whole file.
func TestBooleanFlagFound(t *testing.T) {
	if boolField < 0 {
		t.Fatal("ini.Key has no isBooleanType bool field any more")
	}
	f := New()
	if !isBoolean(f.Section(ConfigSection).Key("editor")) || isBoolean(f.Section(ConfigSection).Key("color")) {
		t.Error("isBoolean does not tell bare keys")
	}
}

// dump renders everything ini.v1 keeps of a file, in order.
func dump(f *ini.File) string {
	var b strings.Builder
	for _, s := range f.Sections() {
		fmt.Fprintf(&b, "[%q c=%q tc=%q]", s.Name(), s.Comment, s.TrailingComment)
		for _, k := range s.Keys() {
			fmt.Fprintf(&b, "(%q=%q c=%q b=%v)", k.Name(), k.Value(), k.Comment, isBoolean(k))
		}
	}
	var w bytes.Buffer
	_, _ = f.WriteTo(&w)
	fmt.Fprintf(&b, " written %q", w.String())
	return b.String()
}

func bigIniData(n int) []byte {
	var sb strings.Builder
	sb.WriteString("[_config]\nactive_profile = p0000\ncolor = True\ncache = False\nrecord_type_dir\neditor\neditor_use_blocking = False\neditor_process_name\n\n")
	for i := range n {
		fmt.Fprintf(&sb, "[p%04d]\nclientid = Y2xpZW50\nprivatekey = cHJpdmF0ZQ==\nappkey = YXBw\nhostname = keepersecurity.com\nappownerpublickey = b3duZXI=\nserverpublickeyid = 10\n\n", i)
	}
	return []byte(sb.String())
}

func TestPlainNameMatchesItsPattern(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	for _, n := range []string{"", "a", "_default", "A-b_9", "a b", "a.b", "é", "a\n", strings.Repeat("x", 64), strings.Repeat("x", 65), "[x]"} {
		if got, want := PlainName(n), re.MatchString(n); got != want {
			t.Errorf("PlainName(%q) = %v, the pattern says %v", n, got, want)
		}
	}
}
