package keyringstore

import (
	"encoding/hex"
	"strings"
	"testing"
)

// What Python's keyring (keyring/backends/macOS/api.py, jaraco/keyring
// 38c0401) stores: kSecClassGenericPassword, kSecAttrService = service,
// kSecAttrAccount = item, kSecValueData = the secret's UTF-8 bytes. ksm
// writes exactly those bytes (-X takes them as hex) under those names.
func TestSecurityAddLine(t *testing.T) {
	secret := "{\n    \"data\": \"{\\\"clientId\\\": \\\"\u00e9\\\"}\"\n}"
	line, err := securityAddLine("KSM-cli", "ksm-cli-profile-prod", secret)
	if err != nil {
		t.Fatal(err)
	}
	want := "add-generic-password -U -s 'KSM-cli' -a 'ksm-cli-profile-prod' -X " + hex.EncodeToString([]byte(secret)) + "\n"
	if line != want {
		t.Errorf("got  %q\nwant %q", line, want)
	}
	if strings.Count(line, "\n") != 1 || strings.Contains(line, "clientId") {
		t.Errorf("the secret is not hex on one line: %q", line)
	}
	for _, bad := range [][2]string{{"it's", "x"}, {"x", `a\b`}} {
		if _, err := securityAddLine(bad[0], bad[1], "s"); err == nil {
			t.Errorf("%q %q: accepted", bad[0], bad[1])
		}
	}
	// The longest line that fits: 4095 bytes with its newline.
	fixed := len("add-generic-password -U -s 'KSM-cli' -a 'x' -X \n")
	fits := strings.Repeat("a", (securityMaxLine-1-fixed)/2)
	if line, err := securityAddLine("KSM-cli", "x", fits); err != nil || len(line) < securityMaxLine-2 {
		t.Errorf("a line of %d bytes: %v", len(line), err)
	}
	if _, err := securityAddLine("KSM-cli", "x", fits+"a"); err == nil {
		t.Error("an oversized line was accepted")
	}
}

func TestSecurityFindArgs(t *testing.T) {
	got := strings.Join(securityFindArgs("KSM-cli", "ksm-cli-common"), " ")
	if got != "find-generic-password -s KSM-cli -a ksm-cli-common -g" {
		t.Errorf("got %q", got)
	}
}

// `security find-generic-password -g` prints the data in one of two forms
// (its print_buffer): quoted when every byte is printable ASCII other than
// a backslash, else 0x and upper-case hex, then the escaped text.
func TestParseSecurityPassword(t *testing.T) {
	keeperItem := "{\n    \"data\": \"{}\"\n}"
	tests := []struct {
		name, stderr, want string
		err                bool
	}{
		{"integrity hash", "password: \"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"\n", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", false},
		{"keeper item (newlines)", "password: 0x" + strings.ToUpper(hex.EncodeToString([]byte(keeperItem))) + "  \"{\\012    \\\"data\\\": \\\"{}\\\"\\012}\"\n", keeperItem, false},
		{"hex only", "password: 0x00FF\n", "\x00\xff", false},
		{"quotes inside", "password: \"a\"b\"\n", "a\"b", false},
		{"looks like hex, quoted", "password: \"0x41\"\n", "0x41", false},
		{"empty", "password: \n", "", false},
		{"after other lines", "keychain: \"/Users/u/Library/Keychains/login.keychain-db\"\nclass: \"genp\"\npassword: \"x\"\n", "x", false},
		{"no password line", "security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain.\n", "", true},
		{"bad hex", "password: 0xZZ\n", "", true},
		{"unquoted", "password: x\n", "", true},
	}
	for _, tt := range tests {
		got, err := parseSecurityPassword(tt.stderr)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("%s: got %q %v, want %q (error %v)", tt.name, got, err, tt.want, tt.err)
		}
	}
}
