package keeper

import (
	"bytes"
	"encoding/json"
)

// Secrets is what Fetch returns.
type Secrets struct {
	// Records holds every record the application can read: those shared
	// with it directly first, then those of its shared folders (FolderUID set).
	Records []Record
	// Folders lists the shared folders and the records in each.
	Folders []Folder
	// Warnings are the server's warnings and records that could not be
	// decrypted (named by UID only).
	Warnings []string
	// ServerPublicKeyID is the key id that worked. When it differs from the
	// config's serverPublicKeyId, Keeper asked to switch: persist it.
	ServerPublicKeyID string
}

// Record is one decrypted record. Fields and Custom keep Keeper's JSON as
// decoded (numbers as json.Number).
type Record struct {
	UID        string  `json:"uid"`
	Type       string  `json:"type"`
	Title      string  `json:"title"`
	Fields     []Field `json:"fields"`
	Custom     []Field `json:"custom"`
	Notes      string  `json:"notes,omitempty"`
	FolderUID  string  `json:"folderUid,omitempty"`
	Revision   int64   `json:"revision,omitempty"`
	IsEditable bool    `json:"isEditable,omitempty"`
}

// Folder is a shared folder of the application.
type Folder struct {
	UID        string   `json:"uid"`
	RecordUIDs []string `json:"recordUids"`
}

// Field is one typed field of a record. Value is always a list, as in
// Keeper's record JSON; Value is never nil.
type Field struct {
	Type  string `json:"type"`
	Label string `json:"label,omitempty"`
	Value []any  `json:"value"`
}

// UnmarshalJSON accepts a lone value where a list is expected (old records
// have them) and keeps numbers exact.
func (f *Field) UnmarshalJSON(b []byte) error {
	var aux struct {
		Type  string          `json:"type"`
		Label string          `json:"label"`
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	f.Type, f.Label, f.Value = aux.Type, aux.Label, []any{}
	v := bytes.TrimSpace(aux.Value)
	if len(v) == 0 || bytes.Equal(v, []byte("null")) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	if v[0] == '[' {
		return dec.Decode(&f.Value)
	}
	var one any
	if err := dec.Decode(&one); err != nil {
		return err
	}
	f.Value = []any{one}
	return nil
}
