package keeper

import (
	"fmt"
	"strings"
)

// Config is a bound client device: the SDK JSON keys of Keeper's config.
// The JSON tags follow Keeper's export order. Printing it with fmt shows
// only the hostname and key id; marshal it to JSON to see the keys.
type Config struct {
	ClientID          string `json:"clientId"`
	PrivateKey        string `json:"privateKey"` // base64 PKCS#8 DER, P-256
	AppKey            string `json:"appKey"`     // base64, 32 bytes
	Hostname          string `json:"hostname"`   // region code or host, as given
	ServerPublicKeyID string `json:"serverPublicKeyId"`
	AppOwnerPublicKey string `json:"appOwnerPublicKey,omitempty"`
}

// configKeys pairs each SDK key with its field, in export order.
func (c *Config) configKeys() []struct {
	name string
	ptr  *string
} {
	return []struct {
		name string
		ptr  *string
	}{
		{"clientId", &c.ClientID},
		{"privateKey", &c.PrivateKey},
		{"appKey", &c.AppKey},
		{"hostname", &c.Hostname},
		{"serverPublicKeyId", &c.ServerPublicKeyID},
		{"appOwnerPublicKey", &c.AppOwnerPublicKey},
	}
}

// Map returns the non-empty values under their SDK key names (clientId,
// privateKey, ...). keeper.ini stores the same keys lower-cased.
func (c Config) Map() map[string]string {
	m := map[string]string{}
	for _, k := range c.configKeys() {
		if *k.ptr != "" {
			m[k.name] = *k.ptr
		}
	}
	return m
}

// ConfigFromMap reads SDK keys case-insensitively, so both the SDK JSON
// ("clientId") and keeper.ini ("clientid") spellings work. Other keys are
// ignored.
func ConfigFromMap(m map[string]string) Config {
	var c Config
	for _, k := range c.configKeys() {
		for name, v := range m {
			if strings.EqualFold(name, k.name) {
				*k.ptr = strings.TrimSpace(v)
			}
		}
	}
	return c
}

// String shows what is safe to log.
func (c Config) String() string {
	return fmt.Sprintf("keeper config (hostname %s, server key id %s)", c.Hostname, c.ServerPublicKeyID)
}

// Format keeps fmt from printing the keys.
func (c Config) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }
