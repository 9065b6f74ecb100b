package storagetest

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/internal/testenv"
	"github.com/ksm-cli/ksm/shared"
)

// TestBadPlugin runs the suite on testdata/bad in a child test process
// (a failing Run must fail its own test) and checks that each check that
// should fail did, and only those.
func TestBadPlugin(t *testing.T) {
	bin, err := Build(t.TempDir(), "./testdata/bad", "bad")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestBadPluginChild$", "-test.v")
	cmd.Env = append(os.Environ(), "STORAGETEST_BAD_BINARY="+bin)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the suite passed a plugin that breaks every rule:\n%s", out)
	}
	tests := []struct {
		check string
		fails bool
		why   string // a line the failure must show
	}{
		{"RunByHand", true, "want exit status 1"},
		{"Handshake", false, ""},
		{"Starts", false, ""},
		{"DescribeIsValid", true, `describe: name "worse" differs from the binary's name ksm-storage-bad`},
		{"DescribeIsStatic", true, "describe changed between two calls"},
		{"ValidateAcceptsValidOptions", false, ""},
		{"OptionNamesAreFree", true, `option "profile" is a name ksm reserves`},
		{"ValidateRejectsInvalidOptions", true, "validate (unknown option): got unknown (<nil>), want invalid argument"},
		{"LoadMissingIsNotFound", true, "load(settings of a missing config): got unknown (nothing there), want not found"},
		{"LoadEmptySettingsFailsCleanly", true, "the plugin failed during load (a bug in the plugin)"},
		{"SaveIsUnimplemented", true, "save (can_save is false): got unknown (<nil>), want unimplemented"},
		{"LoadGivesSampleConfig", true, "loaded config differs in appKey, appOwnerPublicKey, clientId"},
		{"DeadlinesAreHonoured", true, "plugin unusable after short deadlines"},
		{"ErrorsAreOneLine", false, ""},
		{"NothingOnStdout", false, ""},
	}
	for _, tt := range tests {
		verdict := "--- PASS: TestBadPluginChild/" + tt.check + " "
		if tt.fails {
			verdict = "--- FAIL: TestBadPluginChild/" + tt.check + " "
		}
		if !strings.Contains(string(out), verdict) {
			t.Errorf("want %q in the suite's output", strings.TrimSpace(verdict))
		}
		if tt.why != "" && !strings.Contains(string(out), tt.why) {
			t.Errorf("%s: want %q in the suite's output", tt.check, tt.why)
		}
	}
	if t.Failed() {
		t.Logf("suite output:\n%s", out)
	}
}

func TestBadPluginChild(t *testing.T) {
	bin := os.Getenv("STORAGETEST_BAD_BINARY")
	if bin == "" {
		testenv.Skip(t, "helper-process", "run by TestBadPlugin")
	}
	Run(t, Config{
		Binary:          bin,
		ValidOptions:    map[string]string{"profile": "here"},
		MissingSettings: shared.Settings{"profile": "missing"},
		SampleConfig:    FakeConfig(),
	})
}

func TestFakeConfigIsValid(t *testing.T) {
	cfg := FakeConfig()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	parsed, err := shared.ParseConfig(shared.MarshalConfig(cfg))
	if err != nil || fmt.Sprint(parsed) != fmt.Sprint(cfg) {
		t.Errorf("FakeConfig does not survive marshal and parse: %v", err)
	}
}
