package pluginhost

import (
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/internal/launch"
	"github.com/ksm-cli/ksm/shared"
)

// Explain decides by type: a store's "login" error still gets the hint,
// and only a plugin that exited at start (which points to its log itself)
// does not get it twice.
func TestExplainDecidesByType(t *testing.T) {
	const hint = "run with --debug to see the plugin's log"
	tests := []struct {
		name     string
		err      error
		wantHint bool
	}{
		{"store unavailable, says login", &shared.Error{Code: shared.CodeUnavailable, Message: "login to vault failed: connection refused"}, true},
		{"store unavailable, says log", &shared.Error{Code: shared.CodeUnavailable, Message: "the audit log is full"}, true},
		{"exited at start", &launch.ExitError{Err: &shared.Error{Code: shared.CodeUnavailable, Message: "plugin x exited during start-up (exit status 3); its log has the details"}}, false},
		{"not found", &shared.Error{Code: shared.CodeNotFound, Message: "no such secret"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Explain("vault", "load", tt.err).Error()
			if strings.Contains(got, hint) != tt.wantHint {
				t.Errorf("Explain = %q, want hint %v", got, tt.wantHint)
			}
		})
	}
}
