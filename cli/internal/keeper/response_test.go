package keeper

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// wireFixture builds a decrypted get_secret answer the way Keeper encodes
// it: recordKey base64, folderKey base64url, data base64.
type wireFixture struct {
	t      *testing.T
	appKey []byte
}

func (w wireFixture) seal(key, plain []byte) []byte {
	ct, err := gcmSeal(key, plain)
	if err != nil {
		w.t.Fatal(err)
	}
	return ct
}

func (w wireFixture) record(uid string, parent, key []byte, data string) map[string]any {
	r := map[string]any{
		"recordUid": uid, "revision": 3, "isEditable": true,
		"data": base64.StdEncoding.EncodeToString(w.seal(key, []byte(data))),
	}
	if key != nil && string(key) != string(parent) {
		r["recordKey"] = base64.StdEncoding.EncodeToString(w.seal(parent, key))
	}
	return r
}

func TestDecryptSecrets(t *testing.T) {
	w := wireFixture{t: t, appKey: seq(1, 32)}
	recKey, folderKey, folderRecKey := seq(40, 32), seq(80, 32), seq(120, 32)
	resp := map[string]any{
		"records": []any{
			w.record("direct1", w.appKey, recKey, `{"title":"Web","type":"login","fields":[{"type":"login","value":["alice"]},{"type":"pinCode","value":1234}],"custom":[{"type":"text","label":"env","value":["prod"]}],"notes":"n"}`),
			// No recordKey: the record is under the app key itself.
			w.record("direct2", w.appKey, w.appKey, `{"title":"Plain","type":"encryptedNotes","fields":[]}`),
			// Data under a key the app key does not lead to.
			w.record("broken", w.appKey, recKey, `{"title":"x"}`),
			"not an object",
		},
		"folders": []any{
			map[string]any{
				"folderUid": "folder1",
				"folderKey": base64.RawURLEncoding.EncodeToString(w.seal(w.appKey, folderKey)),
				"records":   []any{w.record("infolder", folderKey, folderRecKey, `{"title":"DB","type":"databaseCredentials","fields":[{"type":"host","value":[{"hostName":"db","port":"5432"}]}]}`)},
			},
			map[string]any{"folderUid": "folder2", "folderKey": "AAAA", "records": []any{}},
		},
		"warnings": []string{"app expires soon"},
	}
	// Break "broken" after sealing: its recordKey opens, its data does not.
	resp["records"].([]any)[2].(map[string]any)["data"] = base64.StdEncoding.EncodeToString(w.seal(seq(200, 32), []byte(`{}`)))

	raw, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	wr, err := decodeResponse(raw)
	if err != nil {
		t.Fatal(err)
	}
	s := decryptSecrets(wr, w.appKey)

	var uids []string
	for _, r := range s.Records {
		uids = append(uids, r.UID+"@"+r.FolderUID)
	}
	if got := strings.Join(uids, ","); got != "direct1@,direct2@,infolder@folder1" {
		t.Fatalf("records = %s", got)
	}
	web := s.Records[0]
	if web.Title != "Web" || web.Type != "login" || web.Notes != "n" || web.Revision != 3 || !web.IsEditable {
		t.Errorf("record = %+v", web)
	}
	if !reflect.DeepEqual(web.Fields[0], Field{Type: "login", Value: []any{"alice"}}) {
		t.Errorf("field 0 = %#v", web.Fields[0])
	}
	// A lone value becomes a one-element list; numbers stay exact.
	if !reflect.DeepEqual(web.Fields[1], Field{Type: "pinCode", Value: []any{json.Number("1234")}}) {
		t.Errorf("field 1 = %#v", web.Fields[1])
	}
	if !reflect.DeepEqual(web.Custom, []Field{{Type: "text", Label: "env", Value: []any{"prod"}}}) {
		t.Errorf("custom = %#v", web.Custom)
	}
	if s.Records[1].Fields == nil || s.Records[1].Custom == nil {
		t.Error("empty field lists should be empty, not nil")
	}
	db := s.Records[2]
	if db.Title != "DB" || fmt.Sprint(db.Fields[0].Value) != "[map[hostName:db port:5432]]" {
		t.Errorf("folder record = %+v", db)
	}
	if !reflect.DeepEqual(s.Folders, []Folder{{UID: "folder1", RecordUIDs: []string{"infolder"}}}) {
		t.Errorf("folders = %+v", s.Folders)
	}
	want := []string{
		"server: app expires soon",
		"record broken: data does not decrypt; skipped",
		"a record entry is malformed; skipped",
		"shared folder folder2: key does not decrypt; skipped",
	}
	if !reflect.DeepEqual(s.Warnings, want) {
		t.Errorf("warnings = %q", s.Warnings)
	}
}

func TestDecodeResponseRejects(t *testing.T) {
	for _, in := range []string{"", "null", "[]", `"x"`, "{", `{"records":{}}`, `{"encryptedAppKey":5}`} {
		if _, err := decodeResponse([]byte(in)); err == nil {
			t.Errorf("decodeResponse(%q) accepted", in)
		}
	}
	r, err := decodeResponse([]byte(` {"records":[],"folders":null} `))
	if err != nil {
		t.Fatal(err)
	}
	if s := decryptSecrets(r, seq(0, 32)); len(s.Records) != 0 || s.Records == nil || s.Folders == nil {
		t.Errorf("empty answer = %+v", s)
	}
}
