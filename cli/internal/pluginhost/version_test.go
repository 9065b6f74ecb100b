package pluginhost

import (
	"errors"
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/shared"
)

func TestCheckUpgrade(t *testing.T) {
	old := &Record{SHA256: "old", Describe: &shared.Description{Version: "2.0.0"}}
	tests := []struct {
		name    string
		old     *Record
		sum     string
		version string
		force   bool
		refused bool
	}{
		{"upgrade", old, "new", "2.1.0", false, false},
		{"downgrade", old, "new", "1.0.0", false, true},
		{"downgrade with v prefix", old, "new", "v1.9.9", false, true},
		{"pre-release is older", old, "new", "2.0.0-rc.1", false, true},
		{"forced downgrade", old, "new", "1.0.0", true, false},
		{"same binary", old, "old", "1.0.0", false, false},
		{"not semver: never guessed", old, "new", "nightly", false, false},
		{"nothing before", nil, "new", "0.1.0", false, false},
		{"old never described", &Record{SHA256: "old"}, "new", "0.1.0", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckUpgrade(Plugin{Path: "/p/ksm-storage-x"}, tt.old, tt.sum, &shared.Description{Version: tt.version}, tt.force)
			var de *DowngradeError
			if got := errors.As(err, &de); got != tt.refused {
				t.Fatalf("refused = %v (%v), want %v", got, err, tt.refused)
			}
		})
	}
}

// A version is printed escaped and bounded.
func TestShowVersion(t *testing.T) {
	got := ShowVersion("1.0\x1b]0;title\x07\u202e" + strings.Repeat("9", 100))
	if strings.ContainsAny(got, "\x1b\x07\u202e") || len([]rune(got)) > maxVersionRunes+1 {
		t.Errorf("ShowVersion = %q", got)
	}
}
