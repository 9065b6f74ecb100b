package vaultstore

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ksm-cli/ksm/sdk"
)

// configField is the one field of the second secret shape: the SDK JSON,
// or its base64, as `vault kv put secret/ksm/prod config=@config.json` makes.
const configField = "config"

// configFromFields reads a client config from a secret's fields, in either
// shape: the SDK keys as fields (`vault kv put ... clientId=... ...`), or
// the single field "config". Errors name keys, never values.
func configFromFields(fields map[string]any) (sdk.Config, error) {
	if len(fields) == 0 {
		return nil, fmt.Errorf("the secret has no fields")
	}
	if raw, ok := fields[configField]; ok {
		for k := range fields {
			if k != configField && isSDKKey(k) {
				return nil, fmt.Errorf("the secret has both a %q field and SDK key fields (%s); keep one shape", configField, k)
			}
		}
		s, ok := raw.(string)
		if !ok {
			return nil, fmt.Errorf("the %q field is not a string", configField)
		}
		return sdk.ParseConfig([]byte(s))
	}
	b, err := json.Marshal(fields)
	if err != nil {
		return nil, fmt.Errorf("the secret's fields cannot be read as a config")
	}
	return sdk.ParseConfig(b)
}

// isSDKKey reports whether a field name is an SDK config key, in any case.
func isSDKKey(k string) bool {
	for _, known := range []string{sdk.KeyClientID, sdk.KeyPrivateKey, sdk.KeyAppKey, sdk.KeyHostname,
		sdk.KeyServerPublicKeyID, sdk.KeyAppOwnerPublicKey, sdk.KeyServerPublicKey} {
		if strings.EqualFold(k, known) {
			return true
		}
	}
	return false
}

// fieldsFromConfig is what Save writes: each SDK key as a field.
func fieldsFromConfig(cfg sdk.Config) map[string]any {
	fields := make(map[string]any, len(cfg))
	for k, v := range cfg {
		fields[k] = v
	}
	return fields
}

// sameFields reports whether a secret already holds exactly fields.
func sameFields(cur, fields map[string]any) bool {
	if len(cur) != len(fields) {
		return false
	}
	for k, v := range fields {
		c, ok := cur[k].(string)
		if !ok || c != v {
			return false
		}
	}
	return true
}
