package launch

import (
	"os"
	"path/filepath"
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
