package secretcmd

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/inifile"
	"github.com/ksm-cli/ksm/cli/internal/iostreams"
	"github.com/ksm-cli/ksm/cli/internal/keeper"
	"github.com/ksm-cli/ksm/cli/internal/keeper/keepertest"
	"github.com/ksm-cli/ksm/cli/internal/profiles"
	"github.com/ksm-cli/ksm/shared"
)

func TestWriteListTable(t *testing.T) {
	records := []keeper.Record{
		{UID: "uid-1", Type: "login", Title: "Web"},
		{UID: "uid-22", Type: "databaseCredentials", Title: "DB\x1b[31m\nprod"},
		{UID: "uid-1", Type: "login", Title: "Web", FolderUID: "f"}, // also in a folder
	}
	var b bytes.Buffer
	if err := writeListTable(&b, listEntries(records)); err != nil {
		t.Fatal(err)
	}
	want := "\n" +
		" UID     Record Type          Title\n" +
		" ------  -------------------  ----------------\n" +
		" uid-1   login                Web\n" +
		" uid-22  databaseCredentials  DB\\x1b[31m\\nprod\n" +
		"\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}

func TestListJSON(t *testing.T) {
	var b bytes.Buffer
	if err := writeJSON(&b, listEntries(nil)); err != nil {
		t.Fatal(err)
	}
	if b.String() != "[]\n" {
		t.Errorf("no records: %q, want []", b.String())
	}
	b.Reset()
	_ = writeJSON(&b, listEntries([]keeper.Record{{UID: "u", Type: "login", Title: "a <b> & c"}}))
	var got []map[string]string
	if err := json.Unmarshal(b.Bytes(), &got); err != nil || len(got) != 1 || got[0]["title"] != "a <b> & c" || len(got[0]) != 3 {
		t.Errorf("JSON %s: %v %v", b.String(), got, err)
	}
	if strings.Contains(b.String(), `\u003c`) {
		t.Error("HTML-escaped")
	}
}

func TestValueLines(t *testing.T) {
	tests := []struct {
		in   []any
		want []string
	}{
		{nil, []string{""}},
		{[]any{"plain"}, []string{"plain"}},
		{[]any{"a", "b"}, []string{"a", "b"}},
		{[]any{"line1\r\nline2"}, []string{"line1", "line2"}},
		{[]any{json.Number("5432"), true, nil}, []string{"5432", "true", ""}},
		{[]any{map[string]any{"port": "1", "hostName": "h<&>"}}, []string{`{"hostName":"h<&>","port":"1"}`}},
		{[]any{"tab\there\x1b[2J"}, []string{`tab\there\x1b[2J`}},
		{[]any{"c1\u009b bidi\u202e\u2066 zw\u200b\ufeff"}, []string{`c1\u009b bidi\u202e\u2066 zw\u200b\ufeff`}},
	}
	for _, tt := range tests {
		got := valueLines(tt.in)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("valueLines(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriteRecord(t *testing.T) {
	r := &keeper.Record{
		UID: "uid", Type: "login", Title: "Web",
		Fields: []keeper.Field{{Type: "login", Value: []any{"alice"}}, {Type: "password", Label: "Secret", Value: []any{"p1", "p2"}}},
		Custom: []keeper.Field{{Type: "text", Label: "Env", Value: []any{"prod"}}},
		Notes:  "n1\nn2",
	}
	var b bytes.Buffer
	if err := writeRecord(&b, r); err != nil {
		t.Fatal(err)
	}
	want := "\n Record: uid\n Title: Web\n Record Type: login\n" +
		"\n Field   Value\n ------  -----\n login   alice\n Secret  p1\n         p2\n" +
		"\n Custom Field  Value\n ------------  -----\n Env           prod\n" +
		"\n Notes:\n n1\n n2\n\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// secretFixture is a keeper.ini with one internal profile bound to a test
// server, plus a second profile that must not change.
func secretFixture(t *testing.T) (*keepertest.Server, *cmdutil.Factory, *bytes.Buffer, *bytes.Buffer, string) {
	t.Helper()
	s := keepertest.NewForKSM(t)
	s.AddRecord("Web", "login", keepertest.Field{Type: "password", Value: []any{"pw"}})
	tok, err := keeper.ParseToken(s.NewToken())
	if err != nil {
		t.Fatal(err)
	}
	cl := &keeper.Client{HTTPClient: s.Client()}
	cfg, err := cl.Bind(context.Background(), s.Host(), tok)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "keeper.ini")
	f := inifile.NewWithActive("app")
	book := profiles.NewBook(f)
	if err := book.Put(&profiles.Profile{Name: "app", Config: shared.Config(cfg.Map())}); err != nil {
		t.Fatal(err)
	}
	if err := book.Put(&profiles.Profile{Name: "other", Config: shared.Config(cfg.Map())}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, inifile.Encode(f), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	io, out, errOut := iostreams.Test("")
	fac := &cmdutil.Factory{
		IO: io, Getenv: getenv, Log: hclog.NewNullLogger(), Timeout: 30 * time.Second,
		Env:        inifile.Env{Getenv: getenv, Cwd: dir, GOOS: "linux"},
		HTTPClient: s.Client(),
	}
	return s, fac, out, errOut, path
}

// A server key id switch is saved in the profile used, and only there.
func TestFetchSavesServerKeyID(t *testing.T) {
	s, f, out, errOut, path := secretFixture(t)
	s.RequireKeyID(12)
	if err := runList(context.Background(), &listOptions{f: f}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), " login        Web\n") || errOut.Len() != 0 {
		t.Errorf("stdout %q, stderr %q", out, errOut)
	}
	data, _ := os.ReadFile(path)
	if got := strings.Count(string(data), "serverpublickeyid = 12\n"); got != 1 {
		t.Errorf("saved %d times:\n%s", got, data)
	}
	if !strings.Contains(string(data), "[other]") || strings.Count(string(data), "serverpublickeyid = 10\n") != 1 {
		t.Errorf("other profile changed:\n%s", data)
	}
	// The next run starts with id 12: no more key errors.
	if err := runList(context.Background(), &listOptions{f: f}); err != nil {
		t.Fatal(err)
	}
	// Fetches: the SDK's read right after binding, then the two lists.
	if st := s.Stats(); st.KeyErrors != 1 || st.Fetches != 3 {
		t.Errorf("stats %+v, want one key error and three fetches", st)
	}
}

func TestGet(t *testing.T) {
	s, f, out, _, _ := secretFixture(t)
	uid := s.AddRecord("Second", "login", keepertest.Field{Type: "login", Value: []any{"bob"}})
	if err := runGet(context.Background(), &getOptions{f: f, UID: uid, JSON: true}); err != nil {
		t.Fatal(err)
	}
	var rec keeper.Record
	if err := json.Unmarshal(out.Bytes(), &rec); err != nil || rec.UID != uid || rec.Title != "Second" || len(rec.Fields) != 1 {
		t.Errorf("record %+v, %v", rec, err)
	}
	err := runGet(context.Background(), &getOptions{f: f, UID: "nosuch"})
	if err == nil || !strings.HasPrefix(err.Error(), "no record with UID nosuch is shared with this application") {
		t.Errorf("error = %v", err)
	}
}
