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
		// Keeper's global options: long names anywhere, short names only
		// before the command (after it they are the command's own).
		{"ksm -p prod -o out.txt -c --no-cache --log-level DEBUG profile list", "ksm -p prod -o out.txt -c --no-cache --log-level DEBUG profile list"},
		{"ksm profile list --profile-name prod --no-color --output out.txt --log-level INFO", "ksm --profile-name prod --no-color --output out.txt --log-level INFO profile list"},
		{"ksm profile setup -t aws -s my-secret -c profile -n default -f true", "ksm profile setup -t aws -s my-secret -c profile -n default -f true"},
		{"ksm profile import -f x.ini abc -p prod", "ksm profile import -f x.ini -p prod abc"},
		{"ksm profile show h", "ksm profile show h"},
	}
	for _, tt := range tests {
		got := normalizeArgs(a, strings.Fields(tt.in))
		if want := strings.Fields(tt.want); !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\n got %q\nwant %q", tt.in, got, want)
		}
	}
}
