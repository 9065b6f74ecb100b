package inifile

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// bigIni is a keeper.ini of n profiles, each a copy of the reference
// file's first profile under its own name. `make bench` reports these
// benchmarks; no test here asserts a time.
func bigIni(b *testing.B, n int) []byte {
	b.Helper()
	ref, err := os.ReadFile(fixtures + "two-profiles.ini")
	if err != nil {
		b.Fatal(err)
	}
	f, err := Parse(ref)
	if err != nil {
		b.Fatal(err)
	}
	var sb strings.Builder
	sb.WriteString("[_config]\nactive_profile = p0000\ncolor = True\ncache = False\nrecord_type_dir\neditor\neditor_use_blocking = False\neditor_process_name\n\n")
	keys := f.Section("_default").Keys()
	for i := range n {
		fmt.Fprintf(&sb, "[p%04d]\n", i)
		for _, k := range keys {
			fmt.Fprintf(&sb, "%s = %s\n", k.Name(), k.Value())
		}
		sb.WriteString("\n")
	}
	return []byte(sb.String())
}

func BenchmarkParse(b *testing.B) {
	data := bigIni(b, 1000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	data := bigIni(b, 1000)
	f, err := Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	if got := Encode(f); string(got) != string(data) {
		b.Fatal("Encode does not reproduce the file it parsed")
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		Encode(f)
	}
}
