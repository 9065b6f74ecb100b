package keepertest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"errors"
)

// The server side of Keeper's crypto, written apart from package keeper on
// purpose: a shared bug would otherwise pass every round trip.

const uncompressedPointSize = 65

func seal(key, plaintext []byte) []byte {
	aead := mustGCM(key)
	nonce := randomBytes(12)
	return aead.Seal(nonce, nonce, plaintext, nil)
}

func open(key, blob []byte) ([]byte, error) {
	if len(key) != 32 {
		return nil, errors.New("bad key length")
	}
	if len(blob) < 12+16 {
		return nil, errors.New("ciphertext too short")
	}
	return mustGCM(key).Open(nil, blob[:12], blob[12:], nil)
}

func mustGCM(key []byte) cipher.AEAD {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err) // keys here are always 32 bytes of our own making
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}

// openTransmissionKey undoes the client's ephemeral-ECDH encryption of the
// per-request key: point(65) ‖ GCM(SHA-256(shared x), key).
func openTransmissionKey(server *ecdh.PrivateKey, blob []byte) ([]byte, error) {
	if len(blob) <= uncompressedPointSize {
		return nil, errors.New("transmission key too short")
	}
	eph, err := ecdh.P256().NewPublicKey(blob[:uncompressedPointSize])
	if err != nil {
		return nil, err
	}
	x, err := server.ECDH(eph)
	if err != nil {
		return nil, err
	}
	k := sha256.Sum256(x)
	tk, err := open(k[:], blob[uncompressedPointSize:])
	if err != nil {
		return nil, err
	}
	if len(tk) != 32 {
		return nil, errors.New("transmission key is not 32 bytes")
	}
	return tk, nil
}

// verify checks an ASN.1 ECDSA-SHA256 signature by a device key.
func verify(pub *ecdsa.PublicKey, msg, sig []byte) bool {
	h := sha256.Sum256(msg)
	return ecdsa.VerifyASN1(pub, h[:], sig)
}

func parseDevicePoint(b []byte) (*ecdsa.PublicKey, error) {
	return ecdsa.ParseUncompressedPublicKey(elliptic.P256(), b)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return b
}
