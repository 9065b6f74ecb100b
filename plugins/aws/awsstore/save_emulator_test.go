package awsstore_test

import (
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/internal/storecall"
	"github.com/ksm-cli/ksm/plugins/aws/awstest"
	"github.com/ksm-cli/ksm/shared"
)

// TestSaveEmulators saves through the real SDK into moto's server and reads
// back what it stored.
func TestSaveEmulators(t *testing.T) {
	moto := awstest.StartMoto(t)
	sm := awstest.Secrets{Endpoint: moto}
	cfgJSON := awstest.SampleConfigJSON()
	other := awstest.SampleConfig()
	other[shared.KeyHostname] = "keepersecurity.eu"
	otherJSON := string(shared.MarshalConfig(other))
	const foreign = "db-password-hunter2"
	var arn string

	byName := func(name string) shared.Settings {
		return shared.Settings{"provider": "profile", "profile": awstest.Profile, "secret": name}
	}
	cases := []struct {
		name      string
		arrange   func(t *testing.T)
		settings  func() shared.Settings
		config    shared.Config
		overwrite bool
		want      shared.Code
		wantIn    []string
		// stored is the secret's value afterwards ("" = not checked).
		stored   string
		versions int // versions afterwards (0 = not checked)
	}{
		{name: "create a missing secret",
			settings: func() shared.Settings { return byName("ksm-config") },
			want:     succeed, stored: cfgJSON, versions: 1},
		{name: "put over a ksm config",
			arrange:  func(t *testing.T) { sm.Create(t, "ksm-config", otherJSON) },
			settings: func() shared.Settings { return byName("ksm-config") },
			want:     succeed, stored: cfgJSON, versions: 2},
		{name: "put over a base64 ksm config",
			arrange: func(t *testing.T) {
				sm.Create(t, "ksm-config", "eyJjbGllbnRJZCI6ICJhIiwgInByaXZhdGVLZXkiOiAiYiIsICJhcHBLZXkiOiAiYyIsICJob3N0bmFtZSI6ICJkIn0=")
			},
			settings: func() shared.Settings { return byName("ksm-config") },
			want:     succeed, stored: cfgJSON},
		{name: "the same config again makes no new version",
			arrange:  func(t *testing.T) { sm.Create(t, "ksm-config", cfgJSON) },
			settings: func() shared.Settings { return byName("ksm-config") },
			want:     succeed, stored: cfgJSON, versions: 1},
		{name: "refuse to replace something else",
			arrange:  func(t *testing.T) { sm.Create(t, "ksm-config", foreign) },
			settings: func() shared.Settings { return byName("ksm-config") },
			want:     shared.CodeFailedPrecondition,
			wantIn:   []string{`cannot save to AWS secret "ksm-config"`, "not a ksm config", "--force"},
			stored:   foreign},
		{name: "refuse to replace other binary data",
			arrange:  func(t *testing.T) { sm.CreateBinary(t, "ksm-config", []byte{0xde, 0xad, 0xbe, 0xef}) },
			settings: func() shared.Settings { return byName("ksm-config") },
			want:     shared.CodeFailedPrecondition, wantIn: []string{"--force"},
			stored: "\xde\xad\xbe\xef"},
		{name: "overwrite something else when asked",
			arrange:   func(t *testing.T) { sm.Create(t, "ksm-config", foreign) },
			settings:  func() shared.Settings { return byName("ksm-config") },
			overwrite: true, want: succeed, stored: cfgJSON},
		{name: "fill a secret that has no value yet",
			arrange:  func(t *testing.T) { sm.CreateEmpty(t, "ksm-config") },
			settings: func() shared.Settings { return byName("ksm-config") },
			want:     succeed, stored: cfgJSON},
		{name: "put by ARN",
			arrange:  func(t *testing.T) { arn = sm.Create(t, "by-arn", otherJSON) },
			settings: func() shared.Settings { return byName(arn) },
			want:     succeed, stored: cfgJSON},
		{name: "an ARN cannot be created",
			settings: func() shared.Settings {
				return byName("arn:aws:secretsmanager:us-east-1:123456789012:secret:gone-AbCdEf")
			},
			want:   shared.CodeNotFound,
			wantIn: []string{"cannot be created", "--secret a name"}},
		{name: "an incomplete config is not saved",
			settings: func() shared.Settings { return byName("ksm-config") },
			config:   shared.Config{shared.KeyHostname: "keepersecurity.com"},
			want:     shared.CodeInvalidArgument, wantIn: []string{"clientId"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			awstest.ResetMoto(t, moto)
			awstest.Env{SecretsEndpoint: moto}.Apply(t)
			if tc.arrange != nil {
				tc.arrange(t)
			}
			cfg := tc.config
			if cfg == nil {
				cfg = awstest.SampleConfig()
			}
			settings := tc.settings()
			store, log := newStore()
			err := storecall.Save(ctxFor(t, 0), store, shared.SaveRequest{Settings: settings, Config: cfg, Overwrite: tc.overwrite})
			checkOutcome(t, err, tc.want, tc.wantIn, log.String(), foreign)
			name := settings["secret"]
			if tc.stored != "" {
				if got := sm.Value(t, name); got != tc.stored {
					t.Errorf("stored %q, want %q", got, tc.stored)
				}
			}
			if tc.versions != 0 {
				if got := sm.Versions(t, name); got != tc.versions {
					t.Errorf("%d versions, want %d", got, tc.versions)
				}
			}
			if tc.want == succeed {
				got, err := storecall.Load(ctxFor(t, 0), store, settings)
				checkOutcome(t, err, succeed, nil, log.String())
				checkConfig(t, got)
			}
		})
	}

	t.Run("stored as 4-space-indented SDK JSON", func(t *testing.T) {
		if !strings.HasPrefix(cfgJSON, "{\n    \"clientId\": ") {
			t.Fatalf("sample config is not in export layout:\n%s", cfgJSON)
		}
	})
}
