//go:build devtools

// Command skipcensus reads the `go test -json` events of a test run (as
// gotestsum's --jsonfile writes them), prints how many tests skipped for
// each reason, and exits 1 if a skip matches no reason on the allow-list.
//
// A skip hides a test that did not run; one that nobody expected (a
// missing server, a row meant for another user that quietly gave up) must
// fail the run instead of passing unseen. The allow-list names every
// expected reason once, with a pattern for its skip messages:
//
//	# comment
//	<reason-id> <regexp matched against "package TestName: message">
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
)

func main() {
	allowPath := flag.String("allow", "testdata/skips.allow", "the allow-list of skip reasons")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: skipcensus [-allow FILE] EVENTS.json...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*allowPath, flag.Args(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "skipcensus:", err)
		os.Exit(1)
	}
}

func run(allowPath string, eventsPaths []string, out io.Writer) error {
	allow, err := readAllowList(allowPath)
	if err != nil {
		return err
	}
	var skips []skip
	for _, p := range eventsPaths {
		s, err := readSkips(p)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		skips = append(skips, s...)
	}
	c := census(allow, skips)
	c.print(out, allowPath)
	if len(c.unexpected) > 0 {
		return fmt.Errorf("%d skipped test(s) match no reason in %s: make them run, or add the reason with why it is expected", len(c.unexpected), allowPath)
	}
	return nil
}

func readSkips(path string) ([]skip, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return collectSkips(f)
}

// reason is one allow-list entry.
type reason struct {
	id      string
	pattern *regexp.Regexp
}

func readAllowList(path string) ([]reason, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var list []reason
	for n, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, expr, ok := strings.Cut(line, " ")
		if !ok {
			return nil, fmt.Errorf("%s:%d: want `<reason-id> <regexp>`", path, n+1)
		}
		re, err := regexp.Compile(strings.TrimSpace(expr))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n+1, err)
		}
		list = append(list, reason{id: id, pattern: re})
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("%s: no reasons", path)
	}
	return list, nil
}

// event is the part of a test2json event the census reads.
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// skip is one skipped test and the message it gave.
type skip struct {
	pkg, test, message string
}

func (s skip) String() string { return s.pkg + " " + s.test + ": " + s.message }

// messageLine is how `t.Skip` output looks: "    file_test.go:12: text".
var messageLine = regexp.MustCompile(`^\s+\S+\.go:\d+: (.*)$`)

func collectSkips(r io.Reader) ([]skip, error) {
	type key struct{ pkg, test string }
	last := map[key]string{} // the last message line a test printed
	var skips []skip
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue // gotestsum may interleave plain text
		}
		var e event
		if err := json.Unmarshal(line, &e); err != nil {
			return nil, err
		}
		if e.Test == "" {
			continue // a package without tests, or its summary
		}
		k := key{e.Package, e.Test}
		switch e.Action {
		case "output":
			if m := messageLine.FindStringSubmatch(strings.TrimRight(e.Output, "\n")); m != nil {
				last[k] = m[1]
			}
		case "skip":
			skips = append(skips, skip{pkg: e.Package, test: e.Test, message: last[k]})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return skips, nil
}

type result struct {
	total      int
	byReason   map[string][]skip
	unexpected []skip
}

func census(allow []reason, skips []skip) result {
	c := result{total: len(skips), byReason: map[string][]skip{}}
	for _, s := range skips {
		matched := false
		for _, r := range allow {
			if r.pattern.MatchString(s.String()) {
				c.byReason[r.id] = append(c.byReason[r.id], s)
				matched = true
				break
			}
		}
		if !matched {
			c.unexpected = append(c.unexpected, s)
		}
	}
	return c
}

func (c result) print(w io.Writer, allowPath string) {
	fmt.Fprintf(w, "skip census: %d test(s) skipped\n", c.total)
	ids := make([]string, 0, len(c.byReason))
	for id := range c.byReason {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		a, b := len(c.byReason[ids[i]]), len(c.byReason[ids[j]])
		return a > b || a == b && ids[i] < ids[j]
	})
	for _, id := range ids {
		fmt.Fprintf(w, "  %4d  %s (e.g. %s)\n", len(c.byReason[id]), id, c.byReason[id][0])
	}
	if len(c.unexpected) > 0 {
		fmt.Fprintf(w, "  %4d  NOT ON THE ALLOW-LIST (%s):\n", len(c.unexpected), allowPath)
		for _, s := range c.unexpected {
			fmt.Fprintf(w, "          %s\n", s)
		}
	}
}
