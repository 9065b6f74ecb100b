//go:build devtools

package main

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// goBench is one `go test -bench` result: the median over -count runs.
type goBench struct {
	Pkg         string  `json:"package"`
	Name        string  `json:"name"`
	NsPerOp     float64 `json:"ns_per_op"`
	BytesPerOp  int64   `json:"bytes_per_op"`
	AllocsPerOp int64   `json:"allocs_per_op"`
	Runs        int     `json:"runs"`
}

// goBenchmarks are the Go benchmarks make bench runs, by package. A
// benchmark that moves to another package must move here too;
// TestGoBenchmarksExist fails until it does.
var goBenchmarks = []goBenchSet{
	{"./cli/internal/inifile", []string{"BenchmarkParse", "BenchmarkEncode"}},
	{"./internal/launch", []string{"BenchmarkRoundTrip"}},
}

// goBenchSet names benchmarks of one package.
type goBenchSet struct {
	pkg   string
	names []string
}

// pattern is the -bench expression that runs exactly names.
func (b goBenchSet) pattern() string { return "^(" + strings.Join(b.names, "|") + ")$" }

var benchLine = regexp.MustCompile(`(?m)^(Benchmark\w+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(?:\s+[\d.]+ MB/s)?(?:\s+(\d+) B/op\s+(\d+) allocs/op)?`)

// runGoBench runs the named benchmarks of pkg and returns their medians.
func runGoBench(root, pkg, pattern string, count int, tags string) ([]goBench, error) {
	args := []string{"test", "-run", "^$", "-bench", pattern, "-benchmem", "-count", strconv.Itoa(count)}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	cmd := exec.Command(goTool(), append(args, pkg)...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go test -bench %s %s: %w\n%s", pattern, pkg, err, out)
	}
	byName := map[string][]goBench{}
	var order []string
	for _, m := range benchLine.FindAllStringSubmatch(string(out), -1) {
		ns, _ := strconv.ParseFloat(m[2], 64)
		b := goBench{Pkg: pkg, Name: m[1], NsPerOp: ns}
		b.BytesPerOp, _ = strconv.ParseInt(m[3], 10, 64)
		b.AllocsPerOp, _ = strconv.ParseInt(m[4], 10, 64)
		if byName[m[1]] == nil {
			order = append(order, m[1])
		}
		byName[m[1]] = append(byName[m[1]], b)
	}
	if len(order) == 0 {
		return nil, fmt.Errorf("go test -bench %s %s: no results\n%s", pattern, pkg, out)
	}
	var res []goBench
	for _, name := range order {
		runs := byName[name]
		slices.SortFunc(runs, func(a, b goBench) int {
			switch {
			case a.NsPerOp < b.NsPerOp:
				return -1
			case a.NsPerOp > b.NsPerOp:
				return 1
			}
			return 0
		})
		med := runs[len(runs)/2]
		med.Runs = len(runs)
		res = append(res, med)
	}
	return res, nil
}

func goTool() string {
	if g := os.Getenv("GO"); g != "" {
		return g
	}
	return "go"
}
