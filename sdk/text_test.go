package sdk

import "testing"

func TestRedact(t *testing.T) {
	tests := []struct {
		name, in string
		secrets  []string
		want     string
	}{
		{"every occurrence", "token s3cr3t rejected: s3cr3t", []string{"s3cr3t"}, "token [redacted] rejected: [redacted]"},
		{"several secrets", "id abcd key wxyz", []string{"abcd", "wxyz"}, "id [redacted] key [redacted]"},
		{"too short to redact", "a b c", []string{"a", ""}, "a b c"},
		{"no secret", "plain", nil, "plain"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in, tt.secrets...); got != tt.want {
			t.Errorf("%s: Redact(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestOneLineFoldsWhiteSpace(t *testing.T) {
	if got := OneLine(" 2 errors occurred:\n\t* a\r\n\t* b "); got != "2 errors occurred: * a * b" {
		t.Errorf("OneLine = %q", got)
	}
}
