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

func TestStartDir(t *testing.T) {
	tests := []struct {
		goos, systemRoot, plugin, want string
	}{
		{"linux", "", "/home/u/bin/ksm-storage-x", "/"},
		{"darwin", `C:\Windows`, "/usr/local/bin/ksm-storage-x", "/"},
		{"windows", `C:\Windows`, `C:\Users\u\ksm-storage-x.exe`, `C:\Windows\System32`},
		{"windows", `C:\Windows\`, `C:\Users\u\ksm-storage-x.exe`, `C:\Windows\System32`},
		// A SystemRoot that is not absolute (unset, or relative: it would
		// mean the user's directory again) falls back to the plugin's own.
		{"windows", "", `D:\tools\ksm-storage-x.exe`, `D:\tools`},
		{"windows", `Windows`, `D:\ksm-storage-x.exe`, `D:\`},
		{"windows", `C:Windows`, `\\server\share\ksm-storage-x.exe`, `\\server\share`},
		{"windows", "", `ksm-storage-x.exe`, ""},
	}
	for _, tt := range tests {
		if got := startDir(tt.goos, tt.systemRoot, tt.plugin); got != tt.want {
			t.Errorf("startDir(%q, %q, %q) = %q, want %q", tt.goos, tt.systemRoot, tt.plugin, got, tt.want)
		}
	}
}
