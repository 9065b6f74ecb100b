package keeper

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
)

// BindOptions tune Bind for private deployments and test servers.
type BindOptions struct {
	// ServerPublicKey is the server's transmission key (uncompressed P-256
	// point, base64 or base64url). Empty means Keeper's published keys.
	ServerPublicKey string
	// ServerPublicKeyID is the key id to start with; 0 means 10.
	ServerPublicKeyID int
}

// getPayload is the JSON Keeper's SDKs send to get_secret.
type getPayload struct {
	ClientVersion    string   `json:"clientVersion"`
	ClientID         string   `json:"clientId"`
	PublicKey        string   `json:"publicKey,omitempty"`
	RequestedRecords []string `json:"requestedRecords"`
	RequestedFolders []string `json:"requestedFolders"`
}

// Bind redeems a one-time token: it makes a device key pair, registers its
// public key with Keeper and returns the complete config. The token's
// prefix, when it has one, wins over host; Config.Hostname keeps it as
// given ("US" stays "US"). A token that Keeper refuses (unknown, expired,
// already used) gives an error matching ErrTokenRejected.
func (cl *Client) Bind(ctx context.Context, host string, tok Token, opts BindOptions) (Config, error) {
	if len(tok.key) != tokenKeySize {
		return Config{}, newError(ErrBadToken, nil, "token key must be %d bytes, got %d", tokenKeySize, len(tok.key))
	}
	given := host
	if tok.Host != "" {
		given = tok.Host
	}
	addr, err := ResolveHost(given)
	if err != nil {
		return Config{}, err
	}
	keyID := opts.ServerPublicKeyID
	if keyID == 0 {
		keyID = DefaultServerPublicKeyID
	}
	var keys serverKeys
	if opts.ServerPublicKey != "" {
		if keys.custom, err = parseServerKey(opts.ServerPublicKey); err != nil {
			return Config{}, newError(ErrBadConfig, err, "%v", err)
		}
	}
	if !keys.known(keyID) {
		return Config{}, unknownKeyID(keyID)
	}

	device, err := newDeviceKey()
	if err != nil {
		return Config{}, err
	}
	point, err := devicePublicPoint(device)
	if err != nil {
		return Config{}, err
	}
	clientID := ClientID(tok.key)
	payload, err := json.Marshal(getPayload{
		ClientVersion: ClientVersion,
		ClientID:      clientID,
		PublicKey:     base64.StdEncoding.EncodeToString(point),
	})
	if err != nil {
		return Config{}, err
	}

	plain, usedID, err := cl.post(ctx, call{host: addr, keyID: keyID, keys: keys, device: device, payload: payload})
	if err != nil {
		if errors.Is(err, ErrAccessDenied) {
			return Config{}, newError(ErrTokenRejected, err,
				"keeper server at %s rejected the one-time token: it is unknown, expired or already used (%v)", addr, serverReason(err))
		}
		return Config{}, err
	}
	resp, err := decodeResponse(plain)
	if err != nil {
		return Config{}, unreadable(addr, err)
	}
	if resp.EncryptedAppKey == "" {
		return Config{}, newError(ErrBadResponse, nil, "keeper server at %s answered the bind without an application key", addr)
	}
	appKey, err := openKey(resp.EncryptedAppKey, tok.key)
	if err != nil {
		return Config{}, newError(ErrBadResponse, err, "keeper server at %s sent an application key this token cannot decrypt", addr)
	}
	privateKey, err := marshalDeviceKey(device)
	if err != nil {
		return Config{}, err
	}
	cl.logger().Debug("bound client device", "host", addr, "key_id", usedID)
	return Config{
		ClientID:          clientID,
		PrivateKey:        privateKey,
		AppKey:            base64.StdEncoding.EncodeToString(appKey),
		Hostname:          given,
		ServerPublicKeyID: strconv.Itoa(usedID),
		AppOwnerPublicKey: resp.AppOwnerPublicKey,
		ServerPublicKey:   opts.ServerPublicKey,
	}, nil
}

// serverReason is the server's own words for a refusal, for the message.
func serverReason(err error) string {
	var se *ServerError
	if errors.As(err, &se) && se.Code != "" {
		if se.Message != "" {
			return se.Code + ": " + se.Message
		}
		return se.Code
	}
	return "access denied"
}
