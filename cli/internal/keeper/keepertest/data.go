package keepertest

import (
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
)

// Field is one typed field of a record, as in Keeper's record JSON.
type Field struct {
	Type  string `json:"type"`
	Label string `json:"label,omitempty"`
	Value []any  `json:"value"`
}

// Record is a record's plaintext data.
type Record struct {
	Title  string  `json:"title"`
	Type   string  `json:"type"`
	Fields []Field `json:"fields"`
	Custom []Field `json:"custom"`
	Notes  string  `json:"notes,omitempty"`
}

type storedRecord struct {
	uid      string
	key      []byte
	data     Record
	revision int64
}

type storedFolder struct {
	uid     string
	key     []byte
	records []*storedRecord
}

// device is a client of the application: a one-time token until bound,
// then the public key that signs its requests.
type device struct {
	tokenKey []byte
	pub      *ecdsa.PublicKey
	point    []byte
}

// NewToken issues a one-time token for the application: 32 random bytes in
// base64url without padding, with no prefix. Give Host() as the hostname.
func (s *Server) NewToken() string {
	key := randomBytes(32)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.devices[clientID(key)] = &device{tokenKey: key}
	return base64.RawURLEncoding.EncodeToString(key)
}

// IsBound reports whether token has been redeemed.
func (s *Server) IsBound(token string) bool {
	key, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.devices[clientID(key)]
	return ok && d.pub != nil
}

// AddRecord shares a new record directly with the application and returns
// its UID.
func (s *Server) AddRecord(title, recordType string, fields ...Field) string {
	return s.Put("", Record{Title: title, Type: recordType, Fields: fields})
}

// AddFolder shares a new, empty shared folder with the application and
// returns its UID.
func (s *Server) AddFolder() string {
	f := &storedFolder{uid: newUID(), key: randomBytes(32)}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.folders = append(s.folders, f)
	return f.uid
}

// AddFolderRecord adds a new record to a shared folder and returns its UID.
func (s *Server) AddFolderRecord(folderUID, title, recordType string, fields ...Field) string {
	return s.Put(folderUID, Record{Title: title, Type: recordType, Fields: fields})
}

// Put stores a record (directly shared when folderUID is empty) and
// returns its UID. It panics on an unknown folder: a test bug.
func (s *Server) Put(folderUID string, r Record) string {
	if r.Fields == nil {
		r.Fields = []Field{}
	}
	if r.Custom == nil {
		r.Custom = []Field{}
	}
	rec := &storedRecord{uid: newUID(), key: randomBytes(32), data: r, revision: 1}
	s.mu.Lock()
	defer s.mu.Unlock()
	if folderUID == "" {
		s.records = append(s.records, rec)
		return rec.uid
	}
	for _, f := range s.folders {
		if f.uid == folderUID {
			f.records = append(f.records, rec)
			return rec.uid
		}
	}
	panic("keepertest: no shared folder " + folderUID)
}

// secretsResponse builds the decrypted get_secret answer: directly shared
// record keys under the app key, folder keys under the app key (base64url)
// and folder records' keys under their folder key. Call with s.mu held.
func (s *Server) secretsResponse() map[string]any {
	records := []any{}
	for _, r := range s.records {
		records = append(records, s.wireRecord(r, s.appKey))
	}
	folders := []any{}
	for _, f := range s.folders {
		frs := []any{}
		for _, r := range f.records {
			frs = append(frs, s.wireRecord(r, f.key))
		}
		folders = append(folders, map[string]any{
			"folderUid": f.uid,
			"folderKey": base64.RawURLEncoding.EncodeToString(seal(s.appKey, f.key)),
			"records":   frs,
		})
	}
	appData, _ := json.Marshal(map[string]string{"title": "keepertest", "type": "general"})
	return map[string]any{
		"records":   records,
		"folders":   folders,
		"appData":   base64.RawURLEncoding.EncodeToString(seal(s.appKey, appData)),
		"expiresOn": 0,
	}
}

func (s *Server) wireRecord(r *storedRecord, parentKey []byte) map[string]any {
	data, err := json.Marshal(r.data)
	if err != nil {
		panic(err) // Record holds only JSON values
	}
	return map[string]any{
		"recordUid":  r.uid,
		"recordKey":  base64.StdEncoding.EncodeToString(seal(parentKey, r.key)),
		"data":       base64.StdEncoding.EncodeToString(seal(r.key, data)),
		"revision":   r.revision,
		"isEditable": false,
		"files":      []any{},
	}
}

// clientID is Keeper's: base64(HMAC-SHA512(token, tag)).
func clientID(tokenKey []byte) string {
	m := hmac.New(sha512.New, tokenKey)
	m.Write([]byte("KEEPER_SECRETS_MANAGER_CLIENT_ID"))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// newUID is a Keeper-style UID: 16 random bytes, base64url without padding.
// Never one starting with '-': scripts pass UIDs as arguments, where such a
// UID reads as a flag unless it follows "--" (1 run in 64 failed so).
func newUID() string {
	for {
		if uid := base64.RawURLEncoding.EncodeToString(randomBytes(16)); uid[0] != '-' {
			return uid
		}
	}
}
