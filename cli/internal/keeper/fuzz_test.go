package keeper

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// fuzzAppKey is the app key the committed FuzzDecodeResponse seeds are
// encrypted under, so the fuzzer starts from answers that decrypt.
var fuzzAppKey = seq(1, 32)

func FuzzParseToken(f *testing.F) {
	f.Add("US:" + vecToken)
	f.Add("keeper.example.com:" + vecToken + "=")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := ParseToken(s)
		hostPart, keyPart, found := strings.Cut(strings.TrimSpace(s), ":")
		if !found {
			hostPart, keyPart = "", strings.TrimSpace(s)
		}
		if err == nil {
			if len(tok.Key()) != tokenKeySize || strings.Contains(tok.Host, ":") {
				t.Fatalf("accepted %q as host %q with %d key bytes", s, tok.Host, len(tok.Key()))
			}
			return
		}
		// A key-like part must never come back in the message. The host
		// part may (it names what is wrong), so it is taken out first.
		keyPart = strings.TrimSpace(keyPart)
		msg := err.Error()
		if h := strings.TrimSpace(hostPart); h != "" {
			msg = strings.ReplaceAll(msg, truncate(h, 64), "")
		}
		if len(keyPart) >= 20 && strings.Trim(keyPart, base64URLAlphabet) == "" && strings.Contains(msg, keyPart) {
			t.Fatalf("error %q echoes the key part", err)
		}
		if err.Error() != strings.ToLower(err.Error()[:1])+err.Error()[1:] {
			t.Fatalf("error %q starts upper-case", err)
		}
	})
}

const base64URLAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

func FuzzDecodeResponse(f *testing.F) {
	f.Add([]byte(`{"records":[],"folders":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeResponse(b)
		if err != nil {
			return
		}
		s := decryptSecrets(r, fuzzAppKey)
		if s.Records == nil || s.Folders == nil {
			t.Fatal("nil lists")
		}
		inFolders := 0
		for _, fo := range s.Folders {
			inFolders += len(fo.RecordUIDs)
		}
		folderRecords := 0
		for _, rec := range s.Records {
			if rec.FolderUID != "" {
				folderRecords++
			}
			for _, fl := range append(rec.Fields, rec.Custom...) {
				if fl.Value == nil {
					t.Fatal("nil field value")
				}
			}
		}
		if inFolders != folderRecords {
			t.Fatalf("%d folder records listed, %d returned", inFolders, folderRecords)
		}
	})
}

// The committed seed must keep decrypting, or the fuzzer starts from noise.
func TestFuzzSeedDecrypts(t *testing.T) {
	raw, err := os.ReadFile("testdata/fuzz/FuzzDecodeResponse/valid")
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := strings.Cut(string(raw), "\n")
	body = strings.TrimSuffix(strings.TrimSpace(body), ")")
	lit, err := strconv.Unquote(strings.TrimPrefix(body, "[]byte("))
	if err != nil {
		t.Fatal(err)
	}
	r, err := decodeResponse([]byte(lit))
	if err != nil {
		t.Fatal(err)
	}
	s := decryptSecrets(r, fuzzAppKey)
	if len(s.Records) != 3 || len(s.Folders) != 1 || strings.Join(s.Warnings, ";") != "server: w" {
		t.Fatalf("seed decrypts to %d records, %d folders, warnings %q", len(s.Records), len(s.Folders), s.Warnings)
	}
	if s.Records[1].Fields[0].Value[0] != "lone" {
		t.Errorf("lone value = %#v", s.Records[1].Fields[0])
	}
}
