package keepertest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
)

const apiPath = "/api/rest/sm/v1/get_secret"

// TransmissionKeyHeader carries the plain per-request key from a client
// built for tests. Keeper's Go SDK encrypts that key only to Keeper's own
// published server keys, whose private halves no test server has; ksm's
// test build (tag ksmtesthook) and the SDK tests here send the key in this
// header instead. The shipped ksm never sets it.
const TransmissionKeyHeader = "X-Keepertest-Transmission-Key"

// transmissionKey is the request's per-request key: from the test header
// when a test client sent one, else decrypted with the server's own key
// (clients that take a custom server key, such as Keeper's Python SDK).
func (s *Server) transmissionKey(r *http.Request, encKey []byte) ([]byte, error) {
	if h := r.Header.Get(TransmissionKeyHeader); h != "" {
		tk, err := base64.StdEncoding.DecodeString(h)
		if err != nil || len(tk) != 32 {
			return nil, errors.New("test transmission key must be base64 of 32 bytes")
		}
		return tk, nil
	}
	return openTransmissionKey(s.key, encKey)
}

// ServeHTTP answers Keeper's get_secret and the control endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "closed", http.StatusServiceUnavailable)
		return
	}
	s.handlers.Add(1)
	s.mu.Unlock()
	defer s.handlers.Done()

	if strings.HasPrefix(r.URL.Path, controlPrefix) {
		s.serveControl(w, r)
		return
	}
	if r.URL.Path != apiPath || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	s.stats.Requests++
	var f fault
	if len(s.faults) > 0 {
		f, s.faults = s.faults[0], s.faults[1:]
	}
	s.mu.Unlock()

	switch f {
	case faultThrottle:
		s.throttled(w)
		return
	case faultGarbage:
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(randomBytes(61))
		return
	case faultHang:
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
		// Drop the connection rather than send an empty 200.
		panic(http.ErrAbortHandler)
	case faultFail:
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	s.serveSecrets(w, r)
}

// serveSecrets is the protocol proper.
func (s *Server) serveSecrets(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	keyID := s.keyID
	s.mu.Unlock()
	if id, err := strconv.Atoi(r.Header.Get("PublicKeyId")); err != nil || id != keyID {
		s.count(func(st *Stats) { st.KeyErrors++ })
		writeJSON(w, http.StatusForbidden, map[string]any{"error": "key", "key_id": keyID})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	encKey, err := base64.StdEncoding.DecodeString(r.Header.Get("TransmissionKey"))
	if err != nil {
		keeperError(w, http.StatusBadRequest, "bad_request", "TransmissionKey header is not base64")
		return
	}
	tk, err := s.transmissionKey(r, encKey)
	if err != nil {
		keeperError(w, http.StatusBadRequest, "bad_request", "Unable to decrypt the transmission key")
		return
	}
	plain, err := open(tk, body)
	if err != nil {
		keeperError(w, http.StatusBadRequest, "bad_request", "Unable to decrypt the payload")
		return
	}
	var p struct {
		ClientVersion string `json:"clientVersion"`
		ClientID      string `json:"clientId"`
		PublicKey     string `json:"publicKey"`
	}
	if err := json.Unmarshal(plain, &p); err != nil {
		keeperError(w, http.StatusBadRequest, "bad_request", "Payload is not JSON")
		return
	}
	s.count(func(st *Stats) { st.ClientVersion = p.ClientVersion })
	if p.ClientVersion == "" {
		keeperError(w, http.StatusBadRequest, "invalid_client_version", "Client version is not registered")
		return
	}
	sig, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(r.Header.Get("Authorization"), "Signature "))
	signed := append(append([]byte{}, encKey...), body...)

	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.devices[p.ClientID]
	if !ok {
		s.denyLocked(w, "Unable to validate application access")
		return
	}
	binding := false
	if d.pub == nil {
		// First use of the token: the request must carry the device's
		// public key and be signed by it.
		point, err := base64.StdEncoding.DecodeString(p.PublicKey)
		if err != nil {
			s.denyLocked(w, "Unable to validate application access")
			return
		}
		pub, err := parseDevicePoint(point)
		if err != nil || !verify(pub, signed, sig) {
			s.denyLocked(w, "Signature is invalid")
			return
		}
		d.pub, d.point, binding = pub, point, true
		s.stats.Binds++
	} else {
		// A bound token: only its device may sign. A second bind with a
		// fresh key pair fails here, which is how Keeper refuses a used token.
		if !verify(d.pub, signed, sig) {
			s.denyLocked(w, "Signature is invalid")
			return
		}
		if p.PublicKey != "" {
			point, _ := base64.StdEncoding.DecodeString(p.PublicKey)
			binding = bytes.Equal(point, d.point) // the same device retrying its bind
		}
		if !binding {
			s.stats.Fetches++
		}
	}
	resp := s.secretsResponse()
	if binding {
		resp["encryptedAppKey"] = base64.RawURLEncoding.EncodeToString(seal(d.tokenKey, s.appKey))
		resp["appOwnerPublicKey"] = base64.StdEncoding.EncodeToString(s.ownerKey)
	}
	out, err := json.Marshal(resp)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write(seal(tk, out))
}

// throttled writes Keeper's throttling answer.
func (s *Server) throttled(w http.ResponseWriter) {
	s.mu.Lock()
	s.stats.Throttled++
	ra := s.retryAfter
	s.mu.Unlock()
	body := map[string]any{
		"error":   "throttled",
		"message": "Due to repeated attempts, your request has been throttled. Try again in 1 minute.",
	}
	if ra > 0 {
		body["retry_after"] = ra.Seconds()
	}
	writeJSON(w, http.StatusForbidden, body)
}

// denyLocked answers access_denied; s.mu is held.
func (s *Server) denyLocked(w http.ResponseWriter, msg string) {
	s.stats.Denied++
	keeperError(w, http.StatusForbidden, "access_denied", msg)
}

func (s *Server) count(f func(*Stats)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.stats)
}

// keeperError writes an error in the shape Keeper's API uses.
func keeperError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{
		"path":            "https://keepertest" + apiPath + ", POST",
		"additional_info": "",
		"location":        "default exception manager - api validation exception",
		"error":           code,
		"message":         msg,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
