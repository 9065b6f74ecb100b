package keeper

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
)

// Fetch reads and decrypts every record and shared folder the bound
// application can see. When Keeper asks for another server key, Fetch
// switches once and reports the new id in Secrets.ServerPublicKeyID.
func (cl *Client) Fetch(ctx context.Context, cfg Config) (*Secrets, error) {
	c, appKey, err := prepareFetch(cfg)
	if err != nil {
		return nil, err
	}
	payload, err := json.Marshal(getPayload{ClientVersion: ClientVersion, ClientID: cfg.ClientID})
	if err != nil {
		return nil, err
	}
	c.payload = payload
	plain, usedID, err := cl.post(ctx, c)
	if err != nil {
		return nil, err
	}
	resp, err := decodeResponse(plain)
	if err != nil {
		return nil, unreadable(c.host, err)
	}
	s := decryptSecrets(resp, appKey)
	s.ServerPublicKeyID = strconv.Itoa(usedID)
	for _, w := range s.Warnings {
		cl.logger().Warn("keeper: " + w)
	}
	return s, nil
}

// prepareFetch checks the config up front, so a broken profile fails with
// a message naming the key instead of a server refusal.
func prepareFetch(cfg Config) (call, []byte, error) {
	var c call
	missing := []string{}
	for _, k := range []struct{ name, v string }{
		{"clientId", cfg.ClientID}, {"privateKey", cfg.PrivateKey}, {"appKey", cfg.AppKey}, {"hostname", cfg.Hostname},
	} {
		if strings.TrimSpace(k.v) == "" {
			missing = append(missing, k.name)
		}
	}
	if len(missing) > 0 {
		return c, nil, newError(ErrBadConfig, nil, "keeper config is missing %s", strings.Join(missing, ", "))
	}
	host, err := ResolveHost(cfg.Hostname)
	if err != nil {
		return c, nil, err
	}
	device, err := parseDeviceKey(cfg.PrivateKey)
	if err != nil {
		return c, nil, newError(ErrBadConfig, nil, "keeper config: %v", err)
	}
	appKey, err := decodeBase64(cfg.AppKey)
	if err != nil || len(appKey) != aesKeySize {
		return c, nil, newError(ErrBadConfig, nil, "keeper config: appKey must be base64 of 32 bytes")
	}
	keyID, err := parseKeyID(cfg.ServerPublicKeyID)
	if err != nil {
		return c, nil, err
	}
	var keys serverKeys
	if cfg.ServerPublicKey != "" {
		if keys.custom, err = parseServerKey(cfg.ServerPublicKey); err != nil {
			return c, nil, newError(ErrBadConfig, err, "keeper config: %v", err)
		}
	}
	if !keys.known(keyID) {
		return c, nil, unknownKeyID(keyID)
	}
	return call{host: host, keyID: keyID, keys: keys, device: device}, appKey, nil
}
