package keeper

import (
	"crypto/ecdh"
	"fmt"
	"strconv"
	"strings"
)

// serverPublicKeys are Keeper's published transmission keys by id
// (uncompressed P-256 points, base64url without padding), as in its SDKs.
var serverPublicKeys = map[int]string{
	7:  "BK9w6TZFxE6nFNbMfIpULCup2a8xc6w2tUTABjxny7yFmxW0dAEojwC6j6zb5nTlmb1dAx8nwo3qF7RPYGmloRM",
	8:  "BKnhy0obglZJK-igwthNLdknoSXRrGB-mvFRzyb_L-DKKefWjYdFD2888qN1ROczz4n3keYSfKz9Koj90Z6w_tQ",
	9:  "BAsPQdCpLIGXdWNLdAwx-3J5lNqUtKbaOMV56hUj8VzxE2USLHuHHuKDeno0ymJt-acxWV1xPlBfNUShhRTR77g",
	10: "BNYIh_Sv03nRZUUJveE8d2mxKLIDXv654UbshaItHrCJhd6cT7pdZ_XwbdyxAOCWMkBb9AZ4t1XRCsM8-wkEBRg",
	11: "BA6uNfeYSvqagwu4TOY6wFK4JyU5C200vJna0lH4PJ-SzGVXej8l9dElyQ58_ljfPs5Rq6zVVXpdDe8A7Y3WRhk",
	12: "BMjTIlXfohI8TDymsHxo0DqYysCy7yZGJ80WhgOBR4QUd6LBDA6-_318a-jCGW96zxXKMm8clDTKpE8w75KG-FY",
	13: "BJBDU1P1H21IwIdT2brKkPqbQR0Zl0TIHf7Bz_OO9jaNgIwydMkxt4GpBmkYoprZ_DHUGOrno2faB7pmTR7HhuI",
	14: "BJFF8j-dH7pDEw_U347w2CBM6xYM8Dk5fPPAktjib-opOqzvvbsER-WDHM4ONCSBf9O_obAHzCyygxmtpktDuiE",
	15: "BDKyWBvLbyZ-jMueORl3JwJnnEpCiZdN7yUvT0vOyjwpPBCDf6zfL4RWzvSkhAAFnwOni_1tQSl8dfXHbXqXsQ8",
	16: "BDXyZZnrl0tc2jdC5I61JjwkjK2kr7uet9tZjt8StTiJTAQQmnVOYBgbtP08PWDbecxnHghx3kJ8QXq1XE68y8c",
	17: "BFX68cb97m9_sweGdOVavFM3j5ot6gveg6xT4BtGahfGhKib-zdZyO9pwvv1cBda9ahkSzo1BQ4NVXp9qRyqVGU",
	18: "BNhngQqTT1bPKxGuB6FhbPTAeNVFl8PKGGSGo5W06xWIReutm6ix6JPivqnbvkydY-1uDQTr-5e6t70G01Bb5JA",
}

// serverKeys picks the transmission key for a key id. A custom key (a
// private deployment's or a test server's) stands for every id, because
// such a deployment has one key and Keeper's table does not describe it.
type serverKeys struct {
	custom *ecdh.PublicKey
}

func (k serverKeys) key(id int) (*ecdh.PublicKey, error) {
	if k.custom != nil {
		return k.custom, nil
	}
	s, ok := serverPublicKeys[id]
	if !ok {
		return nil, unknownKeyID(id)
	}
	return parseServerKey(s)
}

// known reports whether id can be used, so a key switch to an id we cannot
// encrypt for fails with a clear error instead of a confusing second answer.
func (k serverKeys) known(id int) bool {
	if k.custom != nil {
		return id > 0
	}
	_, ok := serverPublicKeys[id]
	return ok
}

func unknownKeyID(id int) error {
	return newError(ErrUnknownKeyID, nil,
		"unknown keeper server public key id %d (known: 7-18); for a private deployment give its server public key", id)
}

// parseKeyID reads serverPublicKeyId as stored in a config: a decimal
// string, empty meaning the default.
func parseKeyID(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DefaultServerPublicKeyID, nil
	}
	id, err := strconv.Atoi(s)
	if err != nil || id <= 0 {
		return 0, newError(ErrUnknownKeyID, nil, "server public key id %q is not a positive number", truncate(s, 12))
	}
	return id, nil
}

// parseServerKey decodes an uncompressed P-256 point written in either
// base64 alphabet.
func parseServerKey(s string) (*ecdh.PublicKey, error) {
	b, err := decodeBase64(s)
	if err != nil {
		return nil, fmt.Errorf("server public key is not valid base64: %w", err)
	}
	pub, err := ecdh.P256().NewPublicKey(b)
	if err != nil {
		return nil, fmt.Errorf("server public key is not a P-256 point (%d bytes)", len(b))
	}
	return pub, nil
}
