package app

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/cli/internal/iostreams"
)

func TestNormalizeArgs(t *testing.T) {
	io, _, _ := iostreams.Test("")
	a := New(NewFactory(io), Build{Version: "test"})
	tests := []struct{ in, want string }{
		{"ksm profile show prod --json", "ksm profile show --json prod"},
		{"ksm profile export prod --file-format json --plain", "ksm profile export --file-format json --plain prod"},
		{"ksm profile export prod --file-format=json", "ksm profile export --file-format=json prod"},
		{"ksm profile list --debug --ini-file x.ini", "ksm --debug --ini-file x.ini profile list"},
		{"ksm --ini-file x profile import - -p prod", "ksm --ini-file x profile import -p prod -"},
		{"ksm profile import -- -p", "ksm profile import -- -p"},
		{"ksm profile active prod", "ksm profile active prod"},
		{"ksm --version", "ksm --version"},
		{"ksm secret get -hW8RUoKwpZggNnEvUu4AQ --profile ext", "ksm --profile ext secret get -- -hW8RUoKwpZggNnEvUu4AQ"},
		{"ksm secret get -hW8RUoKwpZggNnEvUu4AQ --json", "ksm secret get --json -- -hW8RUoKwpZggNnEvUu4AQ"},
		{"ksm secret get -- -hW8RUoKwpZggNnEvUu4AQ", "ksm secret get -- -hW8RUoKwpZggNnEvUu4AQ"},
		{"ksm profile list -x", "ksm profile list -x"},
		{"ksm profile setup --type file -p x --path /p --debug", "ksm --debug profile setup --type file -p x --path /p"},
		{"ksm profile setup --type=aws --timeout 5s --fallback", "ksm --timeout 5s profile setup --type=aws --fallback"},
		{"ksm nosuch --json", "ksm nosuch --json"},
	}
	for _, tt := range tests {
		got := normalizeArgs(a, strings.Fields(tt.in))
		if want := strings.Fields(tt.want); !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\n got %q\nwant %q", tt.in, got, want)
		}
	}
}
