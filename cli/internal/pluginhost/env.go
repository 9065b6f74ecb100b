package pluginhost

import (
	"strings"
)

// baseEnv is what every plugin gets: enough to find its home, run helper
// programs and make temp files.
var baseEnv = []string{"HOME", "PATH", "TMPDIR", "TMP", "TEMP", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ",
	"SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy",
	"SYSTEMROOT", "APPDATA", "LOCALAPPDATA", "USERPROFILE"}

// neverPassed holds ksm's own secrets: no plugin gets them, even if it
// declares them.
func neverPassed(name string) bool {
	switch {
	case name == "KSM_TOKEN", name == "KSM_CLI_TOKEN", name == "KSM_CONFIG":
		return true
	case strings.HasPrefix(name, "KSM_CONFIG_BASE64_"):
		return true
	}
	return false
}

// pluginEnv reduces environ to the base variables plus those a plugin
// declares (exact names, or prefixes ending in '*').
func pluginEnv(environ []string, declared []string) []string {
	var out []string
	for _, kv := range environ {
		name, _, ok := strings.Cut(kv, "=")
		if !ok || neverPassed(name) {
			continue
		}
		if wanted(name, baseEnv) || wanted(name, declared) {
			out = append(out, kv)
		}
	}
	return out
}

func wanted(name string, patterns []string) bool {
	for _, p := range patterns {
		if prefix, ok := strings.CutSuffix(p, "*"); ok {
			if strings.HasPrefix(name, prefix) {
				return true
			}
		} else if name == p {
			return true
		}
	}
	return false
}
