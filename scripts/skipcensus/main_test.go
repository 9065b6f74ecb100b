//go:build devtools

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// events is what `go test -json` wrote for one package: a pass, two skips
// with a message each (one in a subtest), one skip without a message.
const events = `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"output","Package":"p","Test":"TestA","Output":"    a_test.go:12: KSM_RELEASE_DIST is not set: run make release-snapshot\n"}
{"Action":"output","Package":"p","Test":"TestA","Output":"--- SKIP: TestA (0.00s)\n"}
{"Action":"skip","Package":"p","Test":"TestA","Elapsed":0}
{"Action":"output","Package":"p","Test":"TestB/root","Output":"    b_test.go:7: needs dbus\n"}
{"Action":"skip","Package":"p","Test":"TestB/root","Elapsed":0}
{"Action":"skip","Package":"p","Test":"TestC","Elapsed":0}
{"Action":"pass","Package":"p","Test":"TestD","Elapsed":0}
{"Action":"skip","Package":"q","Elapsed":0}
`

func TestCensus(t *testing.T) {
	for _, tc := range []struct {
		name, allow string
		wantErr     bool
		want        []string
	}{
		{
			name:  "every skip allowed",
			allow: "release p TestA: KSM_RELEASE_DIST\ndbus needs dbus\nbare TestC: $\n",
			want:  []string{"3 test(s) skipped", "1  bare", "1  dbus", "1  release"},
		},
		{
			name:    "an unexpected skip fails the run and is named",
			allow:   "# only one\nrelease KSM_RELEASE_DIST\n",
			wantErr: true,
			want:    []string{"2  NOT ON THE ALLOW-LIST", "p TestB/root: needs dbus", "p TestC: "},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			allow, ev := filepath.Join(dir, "allow"), filepath.Join(dir, "events.json")
			if err := os.WriteFile(allow, []byte(tc.allow), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(ev, []byte(events), 0o600); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			err := run(allow, []string{ev}, &out)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error: %v\n%s", err, tc.wantErr, out.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}

func TestAllowListRefusesMalformedLines(t *testing.T) {
	for _, bad := range []string{"", "# nothing\n", "onlyanid\n", "id ([\n"} {
		p := filepath.Join(t.TempDir(), "allow")
		if err := os.WriteFile(p, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := readAllowList(p); err == nil {
			t.Errorf("allow-list %q accepted", bad)
		}
	}
}
