package region

import "testing"

func TestHost(t *testing.T) {
	tests := []struct{ in, want string }{
		{"US", "keepersecurity.com"},
		{"us", "keepersecurity.com"},
		{"EU", "keepersecurity.eu"},
		{"AU", "keepersecurity.com.au"},
		{"GOV", "govcloud.keepersecurity.us"},
		{"US_GOV", "govcloud.keepersecurity.us"},
		{"JP", "keepersecurity.jp"},
		{"CA", "keepersecurity.ca"},
		{"keepersecurity.eu", "keepersecurity.eu"},
		{"keeper.example.com", "keeper.example.com"},
		{" EU ", "keepersecurity.eu"},
	}
	for _, tt := range tests {
		if got := Host(tt.in); got != tt.want {
			t.Errorf("Host(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsCode(t *testing.T) {
	for _, c := range Codes() {
		if !IsCode(c) {
			t.Errorf("IsCode(%q) = false", c)
		}
	}
	if IsCode("keepersecurity.com") || IsCode("XX") {
		t.Error("IsCode accepted a non-code")
	}
}
