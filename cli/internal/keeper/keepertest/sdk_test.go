package keepertest_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/keeper-security/secrets-manager-go/core"

	"github.com/ksm-cli/ksm/cli/internal/keeper/keepertest"
)

// sdkClientVersion is what Keeper's Go SDK v1.7.0 sends as clientVersion
// (keeperSecretsManagerClientId in its keeper_globals.go).
const sdkClientVersion = "mg17.0.0"

// sdkTransport is the only thing a test adds to Keeper's SDK: it sends the
// SDK's request to the test server, with the plain transmission key the
// SDK keeps in its test Context (it encrypts it only to Keeper's own
// server keys).
type sdkTransport struct {
	s   *keepertest.Server
	ctx **core.Context
}

func (t *sdkTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.URL.Host, r.Host = t.s.Host(), ""
	r.Header.Set(keepertest.TransmissionKeyHeader, base64.StdEncoding.EncodeToString((*t.ctx).TransmissionKey.Key))
	return t.s.Client().Transport.RoundTrip(r)
}

func newSDK(t *testing.T, s *keepertest.Server, opts *core.ClientOptions) *core.SecretsManager {
	t.Helper()
	ctx := &core.Context{}
	ctx.Transport = &sdkTransport{s: s, ctx: &ctx}
	sm := core.NewSecretsManager(opts, &ctx)
	if sm == nil {
		t.Fatal("NewSecretsManager refused the options")
	}
	return sm
}

// TestOfficialSDKAgainstServer keeps keepertest honest: Keeper's own Go
// SDK, unmodified, binds a token and reads every record, directly shared
// and in a shared folder, with their fields exactly as the server holds
// them; a used token is refused; a key switch is followed.
func TestOfficialSDKAgainstServer(t *testing.T) {
	s := keepertest.New(t)
	login := s.AddRecord("Web Login", "login",
		keepertest.Field{Type: "login", Value: []any{"alice"}},
		keepertest.Field{Type: "password", Value: []any{"pw-1"}})
	note := s.Put("", keepertest.Record{Title: "Note", Type: "encryptedNotes", Notes: "remember",
		Custom: []keepertest.Field{{Type: "text", Label: "env", Value: []any{"prod"}}}})
	folder := s.AddFolder()
	db := s.AddFolderRecord(folder, "Database", "databaseCredentials",
		keepertest.Field{Type: "host", Value: []any{map[string]any{"hostName": "db.example.com", "port": "5432"}}})

	token := s.NewToken()
	store := core.NewMemoryKeyValueStorage(map[string]string{})
	//lint:ignore SA1019 the test server's host has a port, which only Hostname carries
	sm := newSDK(t, s, &core.ClientOptions{Token: token, Hostname: s.Host(), Config: store})
	records, err := sm.GetSecrets(nil)
	if err != nil {
		t.Fatalf("GetSecrets: %v", err)
	}
	if !s.IsBound(token) {
		t.Error("the server does not consider the token bound")
	}
	var got []string
	for _, r := range records {
		var d map[string]any
		if err := json.Unmarshal([]byte(r.RawJson), &d); err != nil {
			t.Fatalf("record %s: %v", r.Uid, err)
		}
		fields, _ := json.Marshal(d["fields"])
		got = append(got, strings.Join([]string{r.Uid, r.Type(), r.Title(), r.FolderUid(), string(fields)}, " "))
	}
	sort.Strings(got)
	want := []string{
		login + ` login Web Login  [{"type":"login","value":["alice"]},{"type":"password","value":["pw-1"]}]`,
		note + ` encryptedNotes Note  []`,
		db + ` databaseCredentials Database ` + folder + ` [{"type":"host","value":[{"hostName":"db.example.com","port":"5432"}]}]`,
	}
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("records:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if st := s.Stats(); st.Binds != 1 || st.ClientVersion != sdkClientVersion {
		t.Errorf("stats = %+v", st)
	}
	for _, k := range []core.ConfigKey{core.KEY_CLIENT_ID, core.KEY_PRIVATE_KEY, core.KEY_APP_KEY, core.KEY_OWNER_PUBLIC_KEY} {
		if store.Get(k) == "" {
			t.Errorf("config lacks %s after the bind", k)
		}
	}
	if store.Get(core.KEY_CLIENT_KEY) != "" {
		t.Error("config still holds the token after the bind")
	}

	// The bound config alone reads again, and follows a key switch.
	s.RequireKeyID(12)
	again := newSDK(t, s, &core.ClientOptions{Config: store})
	if recs, err := again.GetSecrets(nil); err != nil || len(recs) != 3 {
		t.Fatalf("second read: %d records, %v", len(recs), err)
	}
	if id := store.Get(core.KEY_SERVER_PUBLIC_KEY_ID); id != "12" {
		t.Errorf("server key id after the switch = %q", id)
	}

	// A used token: a second device cannot bind it.
	//lint:ignore SA1019 the test server's host has a port, which only Hostname carries
	other := newSDK(t, s, &core.ClientOptions{Token: token, Hostname: s.Host(), Config: core.NewMemoryKeyValueStorage(map[string]string{})})
	if _, err := other.GetSecrets(nil); err == nil || !strings.Contains(err.Error(), "access_denied") {
		t.Errorf("second bind: %v", err)
	}
}
