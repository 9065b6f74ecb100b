package inifile

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/ini.v1"
)

// fuzzMarker stands for a secret in the seeds (in values, key names and
// section names): no error may ever show it.
const fuzzMarker = "S3CR3T+MARK/"

// FuzzParse checks the keeper.ini reader and the write path: no panic; a
// rejection by Parse or by CheckWritable is a clear error that never quotes
// the input; and what Parse accepts and CheckWritable lets through
// re-encodes to a file that parses to the same sections, keys, values and
// bare keys, in ksm and in python3's configparser (the oracle). Seeds:
// testdata/fuzz/FuzzParse, and the reference files.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"two-profiles.ini", "aws-profiles.ini", "export-plain.txt"} {
		b, err := os.ReadFile(fixtures + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	o := pyOracle(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data)
		if err != nil {
			checkRejection(t, data, err, ErrMalformed)
			return
		}
		if err := CheckWritable(file); err != nil {
			checkRejection(t, data, err, ErrUnwritable)
			return
		}
		want := model(file)
		enc := Encode(file)
		again, err := Parse(enc)
		if err != nil {
			t.Fatalf("Parse accepted %q but not its own encoding %q: %v", data, enc, err)
		}
		if got := model(again); got != want {
			t.Fatalf("round trip changed the content of %q\nencoded %q\nwant %s\ngot  %s", data, enc, want, got)
		}
		if err := CheckWritable(again); err != nil {
			t.Fatalf("%q is writable but its encoding %q is not: %v", data, enc, err)
		}
		if py := o.read(t, enc); !py.OK || pyModel(py) != ksmModel(again) {
			t.Fatalf("configparser reads ksm's encoding %q of %q otherwise:\n%+v\nksm: %s", enc, data, py, ksmModel(again))
		}
	})
}

func checkRejection(t *testing.T, data []byte, err, sentinel error) {
	t.Helper()
	msg := err.Error()
	if msg == "" || strings.ToLower(msg[:1]) != msg[:1] {
		t.Fatalf("error %q is empty or starts upper-case", msg)
	}
	if sentinel != nil && !errors.Is(err, sentinel) {
		t.Fatalf("error %q is not %q", msg, sentinel)
	}
	if bytes.Contains(data, []byte(fuzzMarker)) && strings.Contains(msg, fuzzMarker) {
		t.Fatalf("error %q quotes the input", msg)
	}
}

// model renders what a keeper.ini means, in the order Encode writes it
// ([_config] first): sections, their keys, values, and which keys are bare.
func model(f *ini.File) string {
	var names []string
	for _, n := range f.SectionStrings() {
		if n == ini.DefaultSection && len(f.Section(n).Keys()) == 0 {
			continue
		}
		if n == ConfigSection {
			names = append([]string{n}, names...)
		} else {
			names = append(names, n)
		}
	}
	var b strings.Builder
	for _, n := range names {
		s := f.Section(n)
		bare := bareKeys(f, n)
		b.WriteString(strconv.Quote(n) + "{")
		for _, k := range s.Keys() {
			if bare[k.Name()] {
				b.WriteString(strconv.Quote(k.Name()) + " ")
				continue
			}
			b.WriteString(strconv.Quote(k.Name()) + "=" + strconv.Quote(k.Value()) + " ")
		}
		b.WriteString("} ")
	}
	return b.String()
}
