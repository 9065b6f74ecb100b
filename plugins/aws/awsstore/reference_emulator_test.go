package awsstore_test

import (
	"testing"

	"gopkg.in/ini.v1"

	"github.com/ksm-cli/ksm/internal/storecall"
	"github.com/ksm-cli/ksm/plugins/aws/awstest"
	"github.com/ksm-cli/ksm/shared"
)

// referenceINI is keeper.ini as Keeper's Python CLI wrote it after three
// `profile setup --type aws` runs (a copy of the shared fixture).
const referenceINI = "../../../testdata/reference/aws-profiles.ini"

// TestLoadReferenceINI loads every aws profile the reference wrote: an empty
// `profile =`, `fallback = true`, and `provider = custom` with keys.
func TestLoadReferenceINI(t *testing.T) {
	f, err := ini.LoadSources(ini.LoadOptions{AllowBooleanKeys: true}, referenceINI)
	if err != nil {
		t.Fatal(err)
	}
	moto := awstest.StartMoto(t)
	awstest.Env{SecretsEndpoint: moto, DefaultCredentials: true}.Apply(t)
	sm := awstest.Secrets{Endpoint: moto}
	sm.Create(t, "ksm-config", awstest.SampleConfigJSON())
	sm.Create(t, "ksm-config-json", awstest.SampleConfigJSON())

	want := []string{"awsprof", "awsnamed", "awskeys"}
	var seen []string
	for _, sec := range f.Sections() {
		if sec.Key("storage").String() != "aws" {
			continue
		}
		seen = append(seen, sec.Name())
		t.Run(sec.Name(), func(t *testing.T) {
			settings := shared.Settings{}
			for _, k := range sec.Keys() {
				if k.Name() != "storage" {
					settings[k.Name()] = k.String()
				}
			}
			store, log := newStore()
			cfg, err := storecall.Load(ctxFor(t, 0), store, settings)
			checkOutcome(t, err, succeed, nil, log.String())
			checkConfig(t, cfg)
		})
	}
	if len(seen) != len(want) {
		t.Errorf("aws sections = %v, want %v", seen, want)
	}
}
