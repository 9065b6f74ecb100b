package keepertest_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ksm-cli/ksm/cli/internal/keeper"
	"github.com/ksm-cli/ksm/cli/internal/keeper/keepertest"
)

func post(t *testing.T, s *keepertest.Server, path string) (int, string) {
	t.Helper()
	resp, err := s.Client().Post("https://"+s.Host()+path, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestControlEndpoints(t *testing.T) {
	s := keepertest.NewForKSM(t)
	s.AddRecord("One", "login")
	code, token := post(t, s, "/keepertest/token")
	if code != http.StatusOK || len(token) != 43 {
		t.Fatalf("token: %d %q", code, token)
	}
	tok, err := keeper.ParseToken(token)
	if err != nil {
		t.Fatal(err)
	}
	c := &keeper.Client{HTTPClient: s.Client()}
	cfg, err := c.Bind(context.Background(), s.Host(), tok)
	if err != nil {
		t.Fatal(err)
	}
	s.SetRetryAfter(10 * time.Millisecond)
	for _, p := range []string{"/keepertest/throttle?n=1", "/keepertest/require-key-id?id=11"} {
		if code, body := post(t, s, p); code != http.StatusNoContent {
			t.Fatalf("%s: %d %s", p, code, body)
		}
	}
	sec, err := c.Fetch(context.Background(), cfg)
	if err != nil || len(sec.Records) != 1 || sec.ServerPublicKeyID != "11" {
		t.Fatalf("fetch: %v", err)
	}

	resp, err := s.Client().Get("https://" + s.Host() + "/keepertest/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st keepertest.Stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	// The bind is two requests (the SDK reads the records once bound).
	want := keepertest.Stats{Requests: 5, Binds: 1, Fetches: 2, KeyErrors: 1, Throttled: 1, ClientVersion: sdkClientVersion}
	if st != want {
		t.Errorf("stats = %+v, want %+v", st, want)
	}

	for path, wantCode := range map[string]int{
		"/keepertest/nope":           http.StatusNotFound,
		"/keepertest/throttle?n=x":   http.StatusBadRequest,
		"/keepertest/require-key-id": http.StatusBadRequest,
	} {
		if code, _ := post(t, s, path); code != wantCode {
			t.Errorf("%s: %d, want %d", path, code, wantCode)
		}
	}
}

func TestProtocolErrors(t *testing.T) {
	s := keepertest.New(t)
	url := "https://" + s.Host() + "/api/rest/sm/v1/get_secret"

	resp, err := s.Client().Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET: %d", resp.StatusCode)
	}

	send := func(keyID, transmissionKey string) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader([]byte("x")))
		req.Header.Set("PublicKeyId", keyID)
		req.Header.Set("TransmissionKey", transmissionKey)
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	if code, m := send("", ""); code != http.StatusForbidden || m["error"] != "key" || m["key_id"] != float64(10) {
		t.Errorf("no key id: %d %v", code, m)
	}
	if code, m := send("10", "AAAA"); code != http.StatusBadRequest || m["error"] != "bad_request" {
		t.Errorf("bad transmission key: %d %v", code, m)
	}
	// The GET is not a protocol request.
	if st := s.Stats(); st.Requests != 2 || st.KeyErrors != 1 {
		t.Errorf("stats = %+v", st)
	}
}

func TestCAFileTrustsServer(t *testing.T) {
	s := keepertest.New(t)
	pem, err := os.ReadFile(s.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pem, s.CertPEM()) || !strings.HasPrefix(string(pem), "-----BEGIN CERTIFICATE-----") {
		t.Fatal("CA file differs from CertPEM")
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("CA file has no certificate")
	}
	trusting := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer trusting.CloseIdleConnections()
	resp, err := trusting.Get("https://" + s.Host() + "/keepertest/stats")
	if err != nil {
		t.Fatalf("CA file does not verify the server: %v", err)
	}
	resp.Body.Close()

	untrusting := &http.Client{Transport: &http.Transport{}}
	defer untrusting.CloseIdleConnections()
	if _, err := untrusting.Get("https://" + s.Host() + "/keepertest/stats"); err == nil {
		t.Fatal("server trusted without its CA")
	}
}

func TestCloseReleasesHangingRequest(t *testing.T) {
	s, err := keepertest.Start(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s.Hang(1)
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, "https://"+s.Host()+"/api/rest/sm/v1/get_secret", nil)
		resp, err := (&http.Client{Transport: s.Client().Transport}).Do(req)
		if err == nil {
			resp.Body.Close()
			err = errors.New("answered")
		}
		errc <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for s.Stats().Requests == 0 {
		if time.Now().After(deadline) {
			t.Fatal("request never arrived")
		}
		time.Sleep(5 * time.Millisecond) // polling the server's counter, with a deadline
	}
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close blocked on a hanging request")
	}
	if err := <-errc; err == nil || err.Error() == "answered" {
		t.Fatalf("hanging request ended with %v", err)
	}
}
