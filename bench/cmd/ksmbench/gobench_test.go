//go:build devtools

package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestGoBenchmarksExist ties goBenchmarks to the source: make bench once
// failed with "no results" because a benchmark had moved to another package.
func TestGoBenchmarksExist(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	for _, set := range goBenchmarks {
		files, err := filepath.Glob(filepath.Join(root, set.pkg, "*_test.go"))
		if err != nil || len(files) == 0 {
			t.Errorf("%s: no test files (%v)", set.pkg, err)
			continue
		}
		var src []byte
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			src = append(src, b...)
		}
		for _, name := range set.names {
			if !regexp.MustCompile(`(?m)^func ` + name + `\(b \*testing\.B\)`).Match(src) {
				t.Errorf("%s is not in %s: make bench would find no results; update goBenchmarks", name, set.pkg)
			}
		}
	}
}
