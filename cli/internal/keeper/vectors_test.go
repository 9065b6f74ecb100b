package keeper

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"
)

// The vectors below were computed with Python's hmac/hashlib and the
// "cryptography" package, independently of this code.
const (
	vecToken    = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8" // bytes 0..31
	vecClientID = "HDWtY7+/cWpJ86C1KBh6DgWY4ovDJBrjliUeY7fvzOEVISYTHNlkqkoyz0IHQrqO0GLFvBPnFb6JvPOzemsZEg=="
	// AES-256-GCM, key = bytes 0..31, nonce = bytes 100..111.
	vecGCM       = "ZGVmZ2hpamtsbW5vMzmqDw2FM7wEQAmNuREFj2DuJH7yHJZQnfPAJ5zKy2rpahGMzJCwKaP2h2iK1ybIkg=="
	vecGCMPlain  = `{"title":"Vector","type":"login"}`
	vecSrvPriv   = "1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef"
	vecSrvPub    = "BEccPnWMSQQoW7p-UxGO0PUkresHV9Jb0vjnsNdt-nFM3VIPesqKi5F6zDf1HejwybvjrYWDgucC3CWhLQn3qFg"
	vecEphPriv   = "fedcba0987654321fedcba0987654321fedcba0987654321fedcba0987654321"
	vecSharedKey = "b2f92f1bac1206cbd21957abb1e7ea040cef10b70c84a8fbe71ee183034ed678"
	vecTransKey  = "c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7"
	// ephemeral point ‖ GCM(sharedKey, transmission key), nonce all zero.
	vecEncKey = "BFiJPMZcxcDaRqFMWkKHjYdwA2I83O7GLLmpBp+iwC6kAmWrjKXuxkbT9M3r21XzHO7mbpR8/2nvOiJ0a+izlNQAAAAAAAAAAAAAAADG3TTv0q+uH45gq4lhzbaPBnCCkwc3kPGpjMhH7jNLATVFvI+tSow7T38qrXPp0yo="
	// The public point of the privateKey in testdata/reference/config1.json,
	// and its ECDSA-SHA256 signature of vecSignedMsg.
	vecCfgPub    = "BGPR4FdW5tyVexdJFh59DFpeodz0OCJIWvh1g7blag3vwnoTaXHRH3aoOUcOd8d0o2MLx+zbiOFDf2wrWnfsJIU="
	vecSignedMsg = "keeper signature vector"
	vecSignature = "MEYCIQDmdDcZ/3XeoDf8IGAD0QZCMjR/IkzaTILoH3WoemhYIQIhAPs3sgPefDeGImyKjudZ4F4OJkN3tV+iCjfcj7qLILGj"
)

func seq(from, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(from + i)
	}
	return b
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := decodeBase64(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestClientIDVector(t *testing.T) {
	tok, err := ParseToken("US:" + vecToken)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(tok.Key(), seq(0, 32)) {
		t.Fatalf("token key = %x", tok.Key())
	}
	if got := tok.ClientID(); got != vecClientID {
		t.Fatalf("ClientID = %s, want %s", got, vecClientID)
	}
}

func TestGCMVectors(t *testing.T) {
	// Ours against Python's ciphertext.
	got, err := gcmOpen(seq(0, 32), mustB64(t, vecGCM))
	if err != nil || string(got) != vecGCMPlain {
		t.Fatalf("open python vector = %q, %v", got, err)
	}
	// The GCM spec's AES-256 test case 14 (zero key, nonce and block).
	nist := mustHex(t, "000000000000000000000000"+"cea7403d4d606b6e074ec5d3baf39d18"+"d0d1c8a799996bf0265b98b5d48ab919")
	got, err = gcmOpen(make([]byte, 32), nist)
	if err != nil || !bytes.Equal(got, make([]byte, 16)) {
		t.Fatalf("open NIST vector = %x, %v", got, err)
	}
	// Round trip, and tampering is caught.
	sealed, err := gcmSeal(seq(7, 32), []byte("round trip"))
	if err != nil {
		t.Fatal(err)
	}
	if len(sealed) != gcmNonceSize+len("round trip")+gcmTagSize {
		t.Fatalf("sealed length %d", len(sealed))
	}
	if got, err := gcmOpen(seq(7, 32), sealed); err != nil || string(got) != "round trip" {
		t.Fatalf("round trip = %q, %v", got, err)
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := gcmOpen(seq(7, 32), sealed); err == nil {
		t.Fatal("tampered ciphertext opened")
	}
	if _, err := gcmOpen(seq(7, 32), sealed[:20]); err == nil {
		t.Fatal("short ciphertext opened")
	}
}

func TestTransmissionKeyVectors(t *testing.T) {
	srv, err := ecdh.P256().NewPrivateKey(mustHex(t, vecSrvPriv))
	if err != nil {
		t.Fatal(err)
	}
	eph, err := ecdh.P256().NewPrivateKey(mustHex(t, vecEphPriv))
	if err != nil {
		t.Fatal(err)
	}
	srvPub, err := parseServerKey(vecSrvPub)
	if err != nil {
		t.Fatal(err)
	}
	if !srvPub.Equal(srv.PublicKey()) {
		t.Fatal("server public key does not parse to the vector's point")
	}
	k, err := sharedKey(eph, srvPub)
	if err != nil || hex.EncodeToString(k) != vecSharedKey {
		t.Fatalf("sharedKey = %x, %v; want %s", k, err, vecSharedKey)
	}

	// Python's encrypted transmission key opens the way a server would.
	if got := openTransmissionKey(t, srv, mustB64(t, vecEncKey)); hex.EncodeToString(got) != vecTransKey {
		t.Fatalf("python transmission key opened to %x", got)
	}
	// Ours opens too, and every seal uses a new ephemeral key.
	tk := seq(200, 32)
	a, err := sealTransmissionKey(tk, srvPub)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sealTransmissionKey(tk, srvPub)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a[:65], b[:65]) {
		t.Fatal("ephemeral key reused")
	}
	if got := openTransmissionKey(t, srv, a); !bytes.Equal(got, tk) {
		t.Fatalf("round trip = %x", got)
	}
}

// openTransmissionKey is the server's half, for the vectors above.
func openTransmissionKey(t *testing.T, srv *ecdh.PrivateKey, blob []byte) []byte {
	t.Helper()
	eph, err := ecdh.P256().NewPublicKey(blob[:65])
	if err != nil {
		t.Fatal(err)
	}
	k, err := sharedKey(srv, eph)
	if err != nil {
		t.Fatal(err)
	}
	tk, err := gcmOpen(k, blob[65:])
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestECDSAVectors(t *testing.T) {
	var cfg map[string]string
	raw, err := os.ReadFile("../../../testdata/reference/config1.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	key, err := parseDeviceKey(cfg["privateKey"])
	if err != nil {
		t.Fatal(err)
	}
	point, err := devicePublicPoint(key)
	if err != nil || base64.StdEncoding.EncodeToString(point) != vecCfgPub {
		t.Fatalf("public point = %x, %v", point, err)
	}
	// Our PKCS#8 encoding is the same bytes Keeper's SDK wrote.
	if again, err := marshalDeviceKey(key); err != nil || again != cfg["privateKey"] {
		t.Fatalf("re-marshalled privateKey differs: %v", err)
	}

	h := sha256.Sum256([]byte(vecSignedMsg))
	if !ecdsa.VerifyASN1(&key.PublicKey, h[:], mustB64(t, vecSignature)) {
		t.Fatal("python signature does not verify")
	}
	sig, err := sign(key, []byte(vecSignedMsg))
	if err != nil {
		t.Fatal(err)
	}
	if !ecdsa.VerifyASN1(&key.PublicKey, h[:], sig) {
		t.Fatal("our signature does not verify")
	}
	other := sha256.Sum256([]byte(vecSignedMsg + "!"))
	if ecdsa.VerifyASN1(&key.PublicKey, other[:], sig) {
		t.Fatal("signature verifies for another message")
	}
}

func TestDeviceKeyRoundTrip(t *testing.T) {
	k, err := newDeviceKey()
	if err != nil {
		t.Fatal(err)
	}
	s, err := marshalDeviceKey(k)
	if err != nil {
		t.Fatal(err)
	}
	back, err := parseDeviceKey(s)
	if err != nil || !back.Equal(k) {
		t.Fatalf("round trip: %v", err)
	}
	for _, bad := range []string{"", "not base64!", base64.StdEncoding.EncodeToString([]byte("not der"))} {
		if _, err := parseDeviceKey(bad); err == nil {
			t.Errorf("parseDeviceKey(%q) accepted", bad)
		}
	}
}

func TestServerKeyTable(t *testing.T) {
	for id := 7; id <= 18; id++ {
		k, err := serverKeys{}.key(id)
		if err != nil || len(k.Bytes()) != 65 {
			t.Errorf("key %d: %v", id, err)
		}
	}
	for _, id := range []int{0, 6, 19, 99} {
		_, err := serverKeys{}.key(id)
		if !errors.Is(err, ErrUnknownKeyID) {
			t.Errorf("key %d: err = %v, want ErrUnknownKeyID", id, err)
		}
	}
}
