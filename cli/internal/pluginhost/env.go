package pluginhost

import (
	"strings"

	"github.com/ksm-cli/ksm/shared"
)

// baseEnv is what every plugin gets: enough to find its home, run helper
// programs and make temp files.
var baseEnv = []string{"HOME", "PATH", "TMPDIR", "TMP", "TEMP", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ",
	"SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy",
	"SYSTEMROOT", "APPDATA", "LOCALAPPDATA", "USERPROFILE"}

// pluginEnv reduces environ to the base variables plus those a plugin
// declares (exact names, or prefixes ending in '*').
func pluginEnv(environ []string, declared []string) []string {
	var out []string
	for _, kv := range environ {
		name, _, ok := strings.Cut(kv, "=")
		if !ok || shared.NeverPassed(name) {
			continue
		}
		if shared.EnvMatches(baseEnv, name) || shared.EnvMatches(declared, name) {
			out = append(out, kv)
		}
	}
	return out
}
