package launch

import (
	"slices"
	"testing"
)

func TestSafePath(t *testing.T) {
	tests := []struct {
		in, want []string
	}{
		{[]string{"PATH=/usr/bin:/bin"}, []string{"PATH=/usr/bin:/bin"}},
		{[]string{"PATH=:/usr/bin"}, []string{"PATH=/usr/bin"}},
		{[]string{"PATH=/usr/bin::/bin:"}, []string{"PATH=/usr/bin:/bin"}},
		{[]string{"PATH=.:bin:./x:../y:/bin"}, []string{"PATH=/bin"}},
		{[]string{"HOME=/h", "PATH=", "XPATH=.:x"}, []string{"HOME=/h", "PATH=", "XPATH=.:x"}},
		{nil, []string{}},
	}
	for _, tt := range tests {
		if got := SafePath(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("SafePath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
