package awstest

import "github.com/ksm-cli/ksm/sdk"

// SampleConfig is a synthetic, well-formed client config. Its values are
// distinctive so that tests can check no message or log line shows them.
func SampleConfig() sdk.Config {
	return sdk.Config{
		sdk.KeyClientID:          "a3NtdGVzdC1jbGllbnQtaWQtdmFsdWUtMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMA==",
		sdk.KeyPrivateKey:        "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQga3NtdGVzdC1wcml2YXRlLWtleS12YWx1ZQ==",
		sdk.KeyAppKey:            "a3NtdGVzdC1hcHAta2V5LXZhbHVlLTMyYnl0ZXMhIQ==",
		sdk.KeyHostname:          "keepersecurity.com",
		sdk.KeyServerPublicKeyID: "10",
		sdk.KeyAppOwnerPublicKey: "BGtzbXRlc3QtYXBwLW93bmVyLXB1YmxpYy1rZXktdmFsdWUtNjUtYnl0ZXMtbG9uZw==",
	}
}

// SampleConfigJSON is SampleConfig as Keeper's CLI writes it.
func SampleConfigJSON() string { return string(sdk.MarshalConfig(SampleConfig())) }
