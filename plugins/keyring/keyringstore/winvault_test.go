package keyringstore

import (
	"bytes"
	"encoding/hex"
	"errors"
	"maps"
	"math/rand/v2"
	"testing"
)

// The bytes WinVaultKeyring writes, from keyring/backends/Windows.py
// (jaraco/keyring 38c0401) and win32cred: UTF-16LE, no BOM, no NUL.
func TestWinBlobEncoding(t *testing.T) {
	tests := []struct {
		text string
		blob []byte
	}{
		{"", []byte{}},
		{"{}", []byte{'{', 0, '}', 0}},
		{"a\nb", []byte{'a', 0, '\n', 0, 'b', 0}},
		{"é", []byte{0xE9, 0}},
		{"😀", []byte{0x3D, 0xD8, 0x00, 0xDE}}, // a surrogate pair
	}
	for _, tt := range tests {
		if got := encodeWinBlob(tt.text); !bytes.Equal(got, tt.blob) {
			t.Errorf("encodeWinBlob(%q) = % x, want % x", tt.text, got, tt.blob)
		}
		if got, err := decodeWinBlob(tt.blob); got != tt.text || err != nil {
			t.Errorf("decodeWinBlob(% x) = %q %v, want %q", tt.blob, got, err, tt.text)
		}
	}
}

// DecodingCredential.value: Python's "utf-16" codec, else UTF-8.
func TestWinBlobDecodingAsPython(t *testing.T) {
	tests := []struct {
		name string
		blob []byte
		want string
		err  bool
	}{
		{"little-endian BOM dropped", []byte{0xFF, 0xFE, 'a', 0}, "a", false},
		{"big-endian BOM", []byte{0xFE, 0xFF, 0, 'a'}, "a", false},
		{"odd length: UTF-8 (go-keyring's encoding)", []byte("abc"), "abc", false},
		{"lone high surrogate: UTF-8", []byte{0x3D, 0xD8, 'a', 0}, "", true},
		{"lone low surrogate, valid UTF-8", []byte("\x00\xdcab"), "", true},
		{"even-length UTF-8 reads as UTF-16, as in Python", []byte("ab"), "\u6261", false},
		{"neither", []byte{0xFF}, "", true},
	}
	for _, tt := range tests {
		got, err := decodeWinBlob(tt.blob)
		if (err != nil) != tt.err || (!tt.err && got != tt.want) {
			t.Errorf("%s: got %q %v, want %q (error %v)", tt.name, got, err, tt.want, tt.err)
		}
	}
}

// mapCredentials is a Credential Manager in memory.
type mapCredentials map[string]winCredential

func (m mapCredentials) read(target string) (*winCredential, error) {
	c, ok := m[target]
	if !ok {
		return nil, nil
	}
	return &c, nil
}

func (m mapCredentials) write(target string, c winCredential) error {
	m[target] = c
	return nil
}

// WinVaultKeyring's targets: the last item written under a service holds
// the service's target; the others move to ITEM@SERVICE. This is what
// Keeper's CLI leaves after `profile init` of prod then dev (each writes
// the profile, its -integrity item, then ksm-cli-common and its hash).
func TestWinVaultTargetsAsPython(t *testing.T) {
	creds := mapCredentials{}
	for _, w := range [][2]string{
		{"ksm-cli-profile-prod", "P"}, {"ksm-cli-profile-prod-integrity", "PI"},
		{"ksm-cli-common", "C1"}, {"ksm-cli-common-integrity", "CI1"},
		{"ksm-cli-profile-dev", "D"}, {"ksm-cli-profile-dev-integrity", "DI"},
		{"ksm-cli-common", "C2"}, {"ksm-cli-common-integrity", "CI2"},
	} {
		if err := winVaultSet(creds, "KSM-cli", w[0], w[1]); err != nil {
			t.Fatal(err)
		}
	}
	u := func(user, text string) winCredential { return winCredential{UserName: user, Blob: encodeWinBlob(text)} }
	want := mapCredentials{
		"KSM-cli":                                u("ksm-cli-common-integrity", "CI2"),
		"ksm-cli-profile-prod@KSM-cli":           u("ksm-cli-profile-prod", "P"),
		"ksm-cli-profile-prod-integrity@KSM-cli": u("ksm-cli-profile-prod-integrity", "PI"),
		"ksm-cli-common@KSM-cli":                 u("ksm-cli-common", "C2"),
		"ksm-cli-common-integrity@KSM-cli":       u("ksm-cli-common-integrity", "CI1"),
		"ksm-cli-profile-dev@KSM-cli":            u("ksm-cli-profile-dev", "D"),
		"ksm-cli-profile-dev-integrity@KSM-cli":  u("ksm-cli-profile-dev-integrity", "DI"),
	}
	if !maps.EqualFunc(creds, want, func(a, b winCredential) bool { return a.UserName == b.UserName && bytes.Equal(a.Blob, b.Blob) }) {
		t.Errorf("targets:\n got %v\nwant %v", creds, want)
	}
	// Reads find each item's latest value, wherever it is; the stale copy
	// of ksm-cli-common-integrity at its compound target is not read.
	for item, text := range map[string]string{
		"ksm-cli-profile-prod": "P", "ksm-cli-common": "C2", "ksm-cli-common-integrity": "CI2", "ksm-cli-profile-dev-integrity": "DI",
	} {
		if got, err := winVaultGet(creds, "KSM-cli", item); got != text || err != nil {
			t.Errorf("get %s = %q %v, want %q", item, got, err, text)
		}
	}
	if _, err := winVaultGet(creds, "KSM-cli", "ksm-cli-profile-gone"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing item: %v", err)
	}
	if _, err := winVaultGet(creds, "other", "ksm-cli-profile-prod"); !errors.Is(err, ErrNotFound) {
		t.Errorf("another service: %v", err)
	}
}

// An item that encodes to more than the Credential Manager takes is
// refused before anything moves.
func TestWinVaultRefusesOversizedItems(t *testing.T) {
	creds := mapCredentials{"KSM-cli": {UserName: "a", Blob: encodeWinBlob("x")}}
	big := string(bytes.Repeat([]byte("a"), winMaxBlob/2+1))
	if err := winVaultSet(creds, "KSM-cli", "b", big); err == nil {
		t.Fatal("accepted")
	}
	if len(creds) != 1 {
		t.Errorf("a refused save moved credentials: %v", creds)
	}
	if err := winVaultSet(creds, "KSM-cli", "b", big[1:]); err != nil {
		t.Errorf("at the limit: %v", err)
	}
}

// Python itself is the oracle: its "utf-16-le" encoder for what
// win32cred writes, and DecodingCredential.value's decoding (utf-16, else
// utf-8) on short random byte strings, which hit BOMs, odd lengths and
// lone surrogates often. Blobs and texts travel as hex.
func TestWinBlobAgainstPython(t *testing.T) {
	texts := append(append([]string{}, tricky...), randomStrings(200)...)
	hexTexts := make([]string, len(texts))
	for i, s := range texts {
		hexTexts[i] = hex.EncodeToString([]byte(s))
	}
	encoded := python(t, `import json,sys
print(json.dumps([bytes.fromhex(h).decode('utf-8').encode('utf-16-le').hex() for h in json.load(sys.stdin)]))`, hexTexts)
	for i, s := range texts {
		if got := hex.EncodeToString(encodeWinBlob(s)); got != encoded[i] {
			t.Errorf("encodeWinBlob(%q) = %s, Python %s", s, got, encoded[i])
		}
	}

	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte{0x00, 0x3D, 0xD8, 0xDC, 0xDE, 0xFF, 0xFE, 'a', 0xC3, 0xA9, 0x80}
	blobs := []string{""}
	for range 400 {
		b := make([]byte, r.IntN(7))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		blobs = append(blobs, hex.EncodeToString(b))
	}
	decoded := python(t, `import json,sys
def value(b):
    try:
        return b.decode('utf-16')
    except UnicodeDecodeError:
        try:
            return b.decode('utf-8')
        except UnicodeDecodeError:
            return None
out = []
for h in json.load(sys.stdin):
    v = value(bytes.fromhex(h))
    out.append('error' if v is None else v.encode('utf-8').hex())
print(json.dumps(out))`, blobs)
	for i, h := range blobs {
		b, _ := hex.DecodeString(h)
		got, err := decodeWinBlob(b)
		answer := hex.EncodeToString([]byte(got))
		if err != nil {
			answer = "error"
		}
		if answer != decoded[i] {
			t.Errorf("decodeWinBlob(% x) = %s, Python %s", b, answer, decoded[i])
		}
	}
}
