package keeper

import (
	"net"
	"strings"

	"github.com/ksm-cli/ksm/cli/internal/region"
)

// ResolveHost maps a region code (US, EU, AU, GOV, US_GOV, JP, CA; any
// case) to Keeper's host and checks that anything else is a plausible host
// name, optionally with a port ("127.0.0.1:8443"). A bare word that is not
// a known code ("XX") is an unknown region, not a host: Keeper's hosts all
// have a dot, and failing here beats a DNS error later.
func ResolveHost(codeOrHost string) (string, error) {
	s := strings.TrimSpace(codeOrHost)
	if s == "" {
		return "", newError(ErrUnknownRegion, nil, "no keeper region or host given")
	}
	if region.IsCode(s) {
		return region.Host(s), nil
	}
	if strings.ContainsAny(s, "/\\@?# \t") {
		return "", newError(ErrUnknownRegion, nil, "keeper host %q must be a bare host name, without scheme or path", truncate(s, 64))
	}
	name := s
	if h, _, err := net.SplitHostPort(s); err == nil {
		name = h
	}
	if strings.Contains(name, ".") || strings.EqualFold(name, "localhost") || net.ParseIP(name) != nil {
		return s, nil
	}
	if p, ok := echoablePrefix(s); ok {
		return "", newError(ErrUnknownRegion, nil, "unknown region %q: use one of %s, or a host name", p, strings.Join(region.Codes(), ", "))
	}
	return "", newError(ErrUnknownRegion, nil, "unknown region: use one of %s, or a host name", strings.Join(region.Codes(), ", "))
}
