package testenv

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// bareSkip is a skip that does not go through Skip.
var bareSkip = regexp.MustCompile(`\.(Skip|Skipf|SkipNow)\(`)

// scriptSkip is a testscript skip; its message must carry the prefix.
var scriptSkip = regexp.MustCompile(`(^|\] )skip\b(.*)$`)

// Every skip in the tree names its reason in the form the skip census
// groups. Build output is left out (bench/results holds BENCH_BASE's
// older source), and so is the conformance kit: its T reports skipped checks
// to plugin authors (`ksm plugin check`), not to go test.
func TestEverySkipNamesItsReason(t *testing.T) {
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			switch rel {
			case ".git", "bin", "dist", "node_modules", filepath.Join("bench", "results"), filepath.Join("internal", "testenv"), filepath.Join("internal", "conformance"):
				return filepath.SkipDir
			}
			return nil
		}
		isGo, isScript := strings.HasSuffix(path, ".go"), strings.HasSuffix(path, ".txtar")
		if !isGo && !isScript {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			switch {
			case isGo && bareSkip.MatchString(strings.ReplaceAll(line, "testenv.Skip(", "")) && !strings.HasPrefix(line, "func ") && !strings.HasPrefix(line, "//"):
				t.Errorf("%s:%d: %s: skip through testenv.Skip(t, id, why)", rel, i+1, line)
			case isScript && scriptSkip.MatchString(line) && !strings.HasPrefix(line, "#"):
				if m := scriptSkip.FindStringSubmatch(line); !strings.Contains(m[2], Prefix) {
					t.Errorf("%s:%d: %s: give skip the message '%s<id>: <why>'", rel, i+1, line, Prefix)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
