package keyringstore

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/ksm-cli/ksm/internal/keeperlayout"
	"github.com/ksm-cli/ksm/sdk"
)

// integrity is the value of an item's -integrity companion.
func integrity(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// errTampered: the item does not match its integrity hash.
var errTampered = errors.New("tampered")

// checkIntegrity compares an item with its -integrity companion.
func checkIntegrity(text, stored string) error {
	if !strings.EqualFold(strings.TrimSpace(stored), integrity(text)) {
		return errTampered
	}
	return nil
}

// encodeConfig is the item text for a profile: the config as json.dumps
// writes it, keys in Keeper's export order, wrapped as {"data": ...}.
func encodeConfig(cfg sdk.Config) string {
	keys := sdk.OrderedKeys(cfg)
	pairs := make([]pair, len(keys))
	for i, k := range keys {
		pairs[i] = pair{k, pyString(cfg[k])}
	}
	return pyDataItem(pyObject(pairs))
}

// dataOf unwraps an item's {"data": "..."}; like Keeper's CLI it also
// accepts the item base64-encoded. It never quotes the text: it holds keys.
func dataOf(text string) (string, error) {
	trimmed := strings.TrimSpace(text)
	if !strings.HasPrefix(trimmed, "{") {
		decoded, err := sdk.DecodeBase64(trimmed)
		if err != nil {
			return "", errors.New("it is neither JSON nor base64 of it")
		}
		trimmed = string(decoded)
	}
	var outer map[string]json.RawMessage
	if err := json.Unmarshal([]byte(trimmed), &outer); err != nil {
		return "", errors.New(`it is not a JSON object {"data": ...}`)
	}
	raw, ok := outer["data"]
	if !ok {
		return "", errors.New(`it has no "data" key`)
	}
	var data string
	if err := json.Unmarshal(raw, &data); err != nil {
		return "", errors.New(`its "data" is not a string`)
	}
	return data, nil
}

// decodeConfig reads a profile item's config.
func decodeConfig(text string) (sdk.Config, error) {
	data, err := dataOf(text)
	if err != nil {
		return nil, err
	}
	return sdk.ParseConfig([]byte(data))
}

// Index is Keeper's ksm-cli-common: its profiles and the active one.
type Index struct {
	Profiles []string
	Active   string
	// inner is the JSON read, kept to rewrite keys ksm does not know.
	inner string
}

// decodeIndex reads ksm-cli-common; names Keeper's CLI would not accept
// are dropped, as it drops them.
func decodeIndex(text string) (*Index, error) {
	data, err := dataOf(text)
	if err != nil {
		return nil, err
	}
	var v struct {
		Profiles []any `json:"profiles"`
		Active   any   `json:"active_profile"`
	}
	if err := json.Unmarshal([]byte(data), &v); err != nil {
		return nil, errors.New("its data is not a JSON object")
	}
	idx := &Index{inner: data}
	for _, p := range v.Profiles {
		if s, ok := p.(string); ok && keeperlayout.ValidName(s) && !slices.Contains(idx.Profiles, s) {
			idx.Profiles = append(idx.Profiles, s)
		}
	}
	if s, ok := v.Active.(string); ok {
		idx.Active = s
	}
	return idx, nil
}

// encode writes the index back: the keys it had, in their order, with
// profiles and active_profile replaced (added at the end if new).
func (idx *Index) encode() (string, error) {
	inner := idx.inner
	if inner == "" {
		inner = "{}"
	}
	pairs, err := topLevelPairs(inner)
	if err != nil {
		return "", err
	}
	set := func(key, value string) {
		for i := range pairs {
			if pairs[i].key == key {
				pairs[i].value = value
				return
			}
		}
		pairs = append(pairs, pair{key, value})
	}
	set("profiles", pyList(idx.Profiles))
	set("active_profile", pyString(idx.Active))
	return pyDataItem(pyObject(pairs)), nil
}

// topLevelPairs splits a JSON object into its keys and Python-encoded
// values, in order.
func topLevelPairs(text string) ([]pair, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	var pairs []pair
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		value, err := pyReencode(string(raw))
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, pair{key, value})
	}
	return pairs, nil
}

// config is the index as Load answers it (see keeperlayout).
func (idx *Index) config() sdk.Config {
	return keeperlayout.IndexToConfig(idx.Profiles, idx.Active)
}
