package awstest

import "github.com/ksm-cli/ksm/shared"

// SampleConfig is a synthetic, well-formed client config. Its values are
// distinctive so that tests can check no message or log line shows them.
func SampleConfig() shared.Config {
	return shared.Config{
		shared.KeyClientID:          "a3NtdGVzdC1jbGllbnQtaWQtdmFsdWUtMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMA==",
		shared.KeyPrivateKey:        "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQga3NtdGVzdC1wcml2YXRlLWtleS12YWx1ZQ==",
		shared.KeyAppKey:            "a3NtdGVzdC1hcHAta2V5LXZhbHVlLTMyYnl0ZXMhIQ==",
		shared.KeyHostname:          "keepersecurity.com",
		shared.KeyServerPublicKeyID: "10",
		shared.KeyAppOwnerPublicKey: "BGtzbXRlc3QtYXBwLW93bmVyLXB1YmxpYy1rZXktdmFsdWUtNjUtYnl0ZXMtbG9uZw==",
	}
}

// SampleConfigJSON is SampleConfig as Keeper's CLI writes it.
func SampleConfigJSON() string { return string(shared.MarshalConfig(SampleConfig())) }
