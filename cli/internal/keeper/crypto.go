package keeper

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strings"
)

// Every Keeper ciphertext is AES-256-GCM laid out as nonce(12)‖ct‖tag(16).
const (
	gcmNonceSize = 12
	gcmTagSize   = 16
	aesKeySize   = 32
)

func gcmSeal(key, plaintext []byte) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcmNonceSize, gcmNonceSize+len(plaintext)+gcmTagSize)
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, plaintext, nil), nil
}

func gcmOpen(key, blob []byte) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if len(blob) < gcmNonceSize+gcmTagSize {
		return nil, errors.New("ciphertext too short")
	}
	return aead.Open(nil, blob[:gcmNonceSize], blob[gcmNonceSize:], nil)
}

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != aesKeySize {
		return nil, errors.New("aes key must be 32 bytes")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// sharedKey is Keeper's ECDH key derivation: SHA-256 of the shared x
// coordinate, always 32 bytes long. (Keeper's Go SDK hashes big.Int bytes,
// which drops leading zeros once in 256 exchanges; the Python SDK and this
// package do not.)
func sharedKey(priv *ecdh.PrivateKey, pub *ecdh.PublicKey) ([]byte, error) {
	x, err := priv.ECDH(pub)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(x)
	return sum[:], nil
}

// sealTransmissionKey encrypts the per-request key for the server: an
// ephemeral public point followed by the GCM ciphertext under the ECDH key.
func sealTransmissionKey(transmissionKey []byte, server *ecdh.PublicKey) ([]byte, error) {
	eph, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	k, err := sharedKey(eph, server)
	if err != nil {
		return nil, err
	}
	ct, err := gcmSeal(k, transmissionKey)
	if err != nil {
		return nil, err
	}
	return append(eph.PublicKey().Bytes(), ct...), nil
}

// newDeviceKey makes the client device's P-256 signing key.
func newDeviceKey() (*ecdsa.PrivateKey, error) {
	return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
}

// marshalDeviceKey is the config's privateKey: base64 of PKCS#8 DER.
func marshalDeviceKey(k *ecdsa.PrivateKey) (string, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(der), nil
}

func parseDeviceKey(s string) (*ecdsa.PrivateKey, error) {
	der, err := decodeBase64(s)
	if err != nil {
		return nil, errors.New("privateKey is not valid base64")
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, errors.New("privateKey is not a PKCS#8 private key")
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, errors.New("privateKey is not a P-256 key")
	}
	return ec, nil
}

// devicePublicPoint is the 65-byte uncompressed point sent on bind.
func devicePublicPoint(k *ecdsa.PrivateKey) ([]byte, error) {
	return k.PublicKey.Bytes()
}

// sign is ECDSA-SHA256 in ASN.1 DER, what Keeper's Authorization header carries.
func sign(k *ecdsa.PrivateKey, msg []byte) ([]byte, error) {
	h := sha256.Sum256(msg)
	return ecdsa.SignASN1(rand.Reader, k, h[:])
}

// decodeBase64 accepts either alphabet with or without padding: Keeper
// mixes them (recordKey is standard, folderKey and encryptedAppKey URL-safe).
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}
