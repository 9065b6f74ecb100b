package shared

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// The SDK JSON keys of a client config, in the order Keeper's CLI exports them.
const (
	KeyClientID          = "clientId"
	KeyPrivateKey        = "privateKey"
	KeyAppKey            = "appKey"
	KeyHostname          = "hostname"
	KeyServerPublicKeyID = "serverPublicKeyId"
	KeyAppOwnerPublicKey = "appOwnerPublicKey"
	KeyServerPublicKey   = "serverPublicKey" // private deployments only
)

// ConfigKeyOrder is the export order of the SDK JSON keys.
var ConfigKeyOrder = []string{KeyClientID, KeyPrivateKey, KeyAppKey, KeyHostname, KeyServerPublicKeyID, KeyAppOwnerPublicKey}

// requiredKeys are what a bound client config cannot work without.
var requiredKeys = []string{KeyClientID, KeyPrivateKey, KeyAppKey, KeyHostname}

// DefaultServerPublicKeyID is what Keeper's SDKs assume when the key is absent.
const DefaultServerPublicKeyID = "10"

// Validate reports missing keys by name; it never mentions a value.
func (c Config) Validate() error {
	var missing []string
	for _, k := range requiredKeys {
		if strings.TrimSpace(c[k]) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("config is missing %s", strings.Join(missing, ", "))
	}
	return nil
}

// ParseConfig reads SDK JSON, or base64 (standard or URL alphabet, padded or
// not) of it, and checks that the required keys are present.
func ParseConfig(data []byte) (Config, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, fmt.Errorf("config is empty")
	}
	if data[0] != '{' && data[0] != '[' {
		decoded, err := DecodeBase64(string(data))
		if err != nil {
			return nil, fmt.Errorf("config is neither JSON nor base64 of it")
		}
		data = bytes.TrimSpace(decoded)
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("config is not a JSON object of SDK keys")
	}
	cfg := Config{}
	spelled := map[string]string{}
	for k, v := range raw {
		// keeper.ini keeps keys lower-cased, so "appkey" and "appKey" are
		// one key: spell a known one as the SDK does, and refuse two.
		canon := canonicalKey(k)
		if other, twice := spelled[canon]; twice && other != k {
			return nil, fmt.Errorf("config has the key %s twice, in different case", canon)
		}
		spelled[canon] = k
		k = canon
		switch v := v.(type) {
		case string:
			cfg[k] = v
		case float64: // serverPublicKeyId is sometimes written as a number
			cfg[k] = strconv.FormatFloat(v, 'f', -1, 64)
		case nil:
		default:
			if !knownKey(k) {
				// Not quoted: in a mangled config a key can be key material.
				return nil, fmt.Errorf("config holds a non-string value under a key that is not an SDK key")
			}
			return nil, fmt.Errorf("config key %q must be a string", k)
		}
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg[KeyServerPublicKeyID] == "" {
		cfg[KeyServerPublicKeyID] = DefaultServerPublicKeyID
	}
	return cfg, nil
}

// canonicalKey returns the SDK spelling of a known key written in any
// case, else k itself.
func canonicalKey(k string) string {
	for _, known := range ConfigKeyOrder {
		if strings.EqualFold(k, known) {
			return known
		}
	}
	if strings.EqualFold(k, KeyServerPublicKey) {
		return KeyServerPublicKey
	}
	return k
}

func knownKey(k string) bool {
	return k == KeyServerPublicKey || slices.Contains(ConfigKeyOrder, k)
}

// OrderedKeys are a config's keys in the order Keeper's CLI writes them:
// the known keys in export order, any other keys after them sorted.
func OrderedKeys(c Config) []string {
	var keys []string
	seen := map[string]bool{}
	for _, k := range ConfigKeyOrder {
		if _, ok := c[k]; ok {
			keys = append(keys, k)
			seen[k] = true
		}
	}
	var extra []string
	for k := range c {
		if !seen[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	return append(keys, extra...)
}

// MarshalConfig writes the SDK JSON as Keeper's CLI does: 4-space indent,
// keys in OrderedKeys order.
func MarshalConfig(c Config) []byte {
	keys := OrderedKeys(c)
	var b bytes.Buffer
	b.WriteString("{\n")
	for i, k := range keys {
		fmt.Fprintf(&b, "    %s: %s", jsonString(k), jsonString(c[k]))
		if i < len(keys)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("}")
	return b.Bytes()
}

// DecodeBase64 accepts either alphabet, with or without padding, and
// ignores white space (configs are often pasted wrapped).
func DecodeBase64(s string) ([]byte, error) {
	s = strings.Join(strings.Fields(s), "")
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// jsonString quotes s as JSON without Go's HTML escaping, as Python does.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}
