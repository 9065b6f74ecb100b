//go:build devtools

package keeper

import (
	"encoding/base64"
	"net/http"

	"github.com/keeper-security/secrets-manager-go/core"

	"github.com/ksm-cli/ksm/cli/internal/keeper/keepertest"
)

// addTestTransmissionKey hands keepertest the request's transmission key.
// Keeper's SDK encrypts that key only to Keeper's published server keys,
// whose private halves no test server has, so a test build (tag devtools:
// the tests, `go vet`, the e2e binaries; never `make build` or a release)
// sends it in the clear beside the encrypted one. Everything else of the
// request is the SDK's own.
func addTestTransmissionKey(r *http.Request, sdkCtx **core.Context) {
	if sdkCtx == nil || *sdkCtx == nil {
		return
	}
	if key := (*sdkCtx).TransmissionKey.Key; len(key) > 0 {
		r.Header.Set(keepertest.TransmissionKeyHeader, base64.StdEncoding.EncodeToString(key))
	}
}

func init() { keepertest.KSMClientLinked = true }
