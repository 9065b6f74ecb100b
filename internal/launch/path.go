package launch

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// SafePath returns env with PATH reduced to its absolute entries. An empty
// or relative entry means the current directory (or one below it) for
// every program the plugin runs, its #! interpreter included: a user who
// can write where ksm is run could otherwise choose what runs as the one
// running ksm. Other variables are kept as they are.
func SafePath(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			var keep []string
			for _, dir := range filepath.SplitList(v) {
				if dir != "" && filepath.IsAbs(dir) {
					keep = append(keep, dir)
				}
			}
			kv = "PATH=" + strings.Join(keep, string(os.PathListSeparator))
		}
		out = append(out, kv)
	}
	return out
}

// StartDir is the working directory every plugin starts in: one of ksm's
// choosing, never the user's. The user's may be writable by others, and a
// plugin that runs "./x", or an interpreter that looks beside itself,
// would run what they put there; it is also not the plugin's business
// (ValidateRequest.WorkingDir tells it where ksm runs). pluginPath is the
// plugin's absolute path, the fallback on Windows.
func StartDir(pluginPath string) string {
	return startDir(runtime.GOOS, os.Getenv("SystemRoot"), pluginPath)
}

// startDir: "/" on unix. Windows has no "/" on every drive: there it is
// %SystemRoot%\System32 (which only administrators may write), or, if
// SystemRoot is not an absolute path, the directory of the plugin itself.
// Windows paths are handled as strings, so that every OS tests them.
func startDir(goos, systemRoot, pluginPath string) string {
	if goos != "windows" {
		return "/"
	}
	if winAbs(systemRoot) {
		return strings.TrimRight(systemRoot, `\/`) + `\System32`
	}
	if i := strings.LastIndexAny(pluginPath, `\/`); i >= 0 && winAbs(pluginPath) {
		dir := pluginPath[:i]
		if len(dir) == 2 { // "C:" alone means that drive's current directory
			dir += `\`
		}
		return dir
	}
	return ""
}

// winAbs: a Windows path from a drive root (C:\...) or a UNC path.
func winAbs(p string) bool {
	if len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') {
		c := p[0] | 0x20
		return c >= 'a' && c <= 'z'
	}
	return strings.HasPrefix(p, `\\`) && len(p) > 2
}
