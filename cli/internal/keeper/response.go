package keeper

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// wireResponse is the decrypted get_secret answer. Records and folders
// stay raw so one malformed entry costs that entry, not the whole answer.
type wireResponse struct {
	EncryptedAppKey   string            `json:"encryptedAppKey"`
	AppOwnerPublicKey string            `json:"appOwnerPublicKey"`
	Records           []json.RawMessage `json:"records"`
	Folders           []json.RawMessage `json:"folders"`
	Warnings          json.RawMessage   `json:"warnings"`
}

type wireRecord struct {
	RecordUID  string          `json:"recordUid"`
	RecordKey  string          `json:"recordKey"`
	Data       string          `json:"data"`
	Revision   json.RawMessage `json:"revision"`
	IsEditable json.RawMessage `json:"isEditable"`
}

type wireFolder struct {
	FolderUID string            `json:"folderUid"`
	FolderKey string            `json:"folderKey"`
	Records   []json.RawMessage `json:"records"`
}

// recordData is a record's decrypted data.
type recordData struct {
	Title  string  `json:"title"`
	Type   string  `json:"type"`
	Fields []Field `json:"fields"`
	Custom []Field `json:"custom"`
	Notes  string  `json:"notes"`
}

// decodeResponse parses the decrypted answer; it must be a JSON object.
func decodeResponse(b []byte) (*wireResponse, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, errors.New("response is not a JSON object")
	}
	var r wireResponse
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("response JSON: %w", err)
	}
	return &r, nil
}

// decryptSecrets opens every record: directly shared ones under the app
// key, folder ones under their folder key (itself under the app key).
// Entries that do not decrypt are skipped and named in Warnings.
func decryptSecrets(r *wireResponse, appKey []byte) *Secrets {
	s := &Secrets{Records: []Record{}, Folders: []Folder{}}
	s.Warnings = append(s.Warnings, serverWarnings(r.Warnings)...)
	for _, raw := range r.Records {
		if rec, err := decryptRecord(raw, appKey, ""); err != nil {
			s.Warnings = append(s.Warnings, err.Error())
		} else {
			s.Records = append(s.Records, rec)
		}
	}
	for _, raw := range r.Folders {
		var f wireFolder
		if err := json.Unmarshal(raw, &f); err != nil {
			s.Warnings = append(s.Warnings, "a shared folder entry is malformed; skipped")
			continue
		}
		if f.FolderUID == "" { // its records could not say where they belong
			s.Warnings = append(s.Warnings, "a shared folder entry has no uid; skipped")
			continue
		}
		folderKey, err := openKey(f.FolderKey, appKey)
		if err != nil {
			s.Warnings = append(s.Warnings, fmt.Sprintf("shared folder %s: key does not decrypt; skipped", uidForMessage(f.FolderUID)))
			continue
		}
		folder := Folder{UID: f.FolderUID, RecordUIDs: []string{}}
		for _, rawRec := range f.Records {
			rec, err := decryptRecord(rawRec, folderKey, f.FolderUID)
			if err != nil {
				s.Warnings = append(s.Warnings, err.Error())
				continue
			}
			folder.RecordUIDs = append(folder.RecordUIDs, rec.UID)
			s.Records = append(s.Records, rec)
		}
		s.Folders = append(s.Folders, folder)
	}
	return s
}

// decryptRecord opens one record under its parent key. An empty recordKey
// means the record uses the parent key itself, as Keeper's SDKs assume.
func decryptRecord(raw json.RawMessage, parentKey []byte, folderUID string) (Record, error) {
	var w wireRecord
	if err := json.Unmarshal(raw, &w); err != nil {
		return Record{}, errors.New("a record entry is malformed; skipped")
	}
	where := "record " + uidForMessage(w.RecordUID)
	recordKey := parentKey
	if w.RecordKey != "" {
		k, err := openKey(w.RecordKey, parentKey)
		if err != nil {
			return Record{}, fmt.Errorf("%s: key does not decrypt; skipped", where)
		}
		recordKey = k
	}
	ct, err := decodeBase64(w.Data)
	if err != nil {
		return Record{}, fmt.Errorf("%s: data is not base64; skipped", where)
	}
	plain, err := gcmOpen(recordKey, ct)
	if err != nil {
		return Record{}, fmt.Errorf("%s: data does not decrypt; skipped", where)
	}
	var d recordData
	if err := json.Unmarshal(plain, &d); err != nil {
		return Record{}, fmt.Errorf("%s: data is not record JSON; skipped", where)
	}
	rec := Record{
		UID: w.RecordUID, Type: d.Type, Title: d.Title, Notes: d.Notes,
		Fields: nonNil(d.Fields), Custom: nonNil(d.Custom), FolderUID: folderUID,
	}
	if n, err := strconv.ParseFloat(string(w.Revision), 64); err == nil {
		rec.Revision = int64(n)
	}
	rec.IsEditable = string(w.IsEditable) == "true"
	return rec, nil
}

// openKey decrypts a 32-byte key stored as base64 (either alphabet).
func openKey(enc string, under []byte) ([]byte, error) {
	ct, err := decodeBase64(enc)
	if err != nil {
		return nil, err
	}
	k, err := gcmOpen(under, ct)
	if err != nil {
		return nil, err
	}
	if len(k) != aesKeySize {
		return nil, errors.New("decrypted key is not 32 bytes")
	}
	return k, nil
}

// serverWarnings reads "warnings" as a list of strings or a single string.
func serverWarnings(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var list []string
	if json.Unmarshal(raw, &list) != nil {
		var one string
		if json.Unmarshal(raw, &one) != nil || one == "" {
			return nil
		}
		list = []string{one}
	}
	for i, w := range list {
		list[i] = "server: " + truncate(w, 200)
	}
	return list
}

// uidForMessage keeps a UID printable and short; UIDs are not secret.
func uidForMessage(uid string) string {
	if uid == "" {
		return "(no uid)"
	}
	return truncate(uid, 32)
}

func nonNil(f []Field) []Field {
	if f == nil {
		return []Field{}
	}
	return f
}
