//go:build !devtools

package keeper

import (
	"net/http"

	"github.com/keeper-security/secrets-manager-go/core"
)

// addTestTransmissionKey does nothing in ksm as shipped; see
// testhook_devtools.go.
func addTestTransmissionKey(*http.Request, **core.Context) {}
