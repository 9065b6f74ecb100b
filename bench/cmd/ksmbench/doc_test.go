//go:build devtools

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWriteDocReplacesOnlyTheGeneratedPart(t *testing.T) {
	over := 1.5
	res := &results{
		Started: time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC), Runs: 30, Warmup: 5,
		Machine: machine{GoVersion: "go1.26.8", OS: "linux", Arch: "amd64", CPUs: 2, CPU: "test cpu"},
		Rows: []rowResult{
			{Key: "hello", Label: "Go hello-world", Floor: true, MedianMs: 1.25},
			{Key: "ksm_version", Label: "ksm --version", Base: "hello", MedianMs: 2.75, OverMs: &over, PeakKiB: map[string]int64{"ksm": 10240}},
		},
		Targets: []target{{Name: "peak", Rule: "≤ 15 MiB", Value: 10, Unit: "MiB", Met: true}},
	}
	path := filepath.Join(t.TempDir(), "performance.md")
	page := "# Performance\n\nprose before\n\n" + docBegin + "\nold figures\n" + docEnd + "\n\nprose after\n"
	if err := os.WriteFile(path, []byte(page), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := res.writeDoc(path, "make bench-doc"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	got := string(b)
	for _, want := range []string{
		"prose before", "prose after", "Measured 2026-12-04 18:00 UTC on 2 CPUs (test cpu)", "`make bench-doc`",
		"| ksm --version | 2.75 ms |  | ksm 10.0 MiB | Go hello-world (1.25 ms) | +1.50 ms |",
		"| floor: Go hello-world | 1.25 ms |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("page lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "old figures") {
		t.Errorf("the old figures stayed:\n%s", got)
	}

	if err := os.WriteFile(path, []byte("no markers\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := res.writeDoc(path, "make bench-doc"); err == nil {
		t.Error("a page without markers was accepted")
	}
}
