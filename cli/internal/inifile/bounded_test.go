package inifile

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ksm-cli/ksm/internal/atomicfile"
)

// boundedShapes are keeper.ini files of (nearly) atomicfile.MaxSize, each
// a shape that once cost ksm time or memory out of proportion; each is
// made when its test runs (prefix, then unit with %d numbered, repeated).
var boundedShapes = []struct{ name, head, unit string }{
	{"1.6 M empty sections", "[_config]\n", "[s%d]\n"},
	{"190 k profiles", "[_config]\n", "[p%d]\nhostname = keepersecurity.com\nclientid = Y2xpZW50\nprivatekey = cHJpdmF0ZQ==\n\n"},
	{"one long line", "[p]\nhostname = ", "a"},
	{"1.4 M keys in one section", "[p]\n", "k%d = v\n"},
	{"2 M continuation lines", "[p]\nk = v\n", " x\n"},
	{"DEFAULT keys times sections", "[DEFAULT]\n" + defaultKeys(), "[s%d]\n"},
}

func defaultKeys() string {
	var b strings.Builder
	for i := range 100 {
		b.WriteString("d" + strconv.Itoa(i) + " = v\n")
	}
	return b.String()
}

// fill repeats unit (its %d the repetition's number) after head up to
// atomicfile.MaxSize bytes.
func fill(head, unit string) string {
	before, after, numbered := strings.Cut(unit, "%d")
	if !numbered {
		n := (atomicfile.MaxSize - len(head)) / len(unit)
		return head + strings.Repeat(unit, n)
	}
	b := make([]byte, 0, atomicfile.MaxSize)
	b = append(b, head...)
	for i := 0; ; i++ {
		n := len(b)
		b = append(b, before...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, after...)
		if len(b) > atomicfile.MaxSize {
			return string(b[:n])
		}
	}
}

// Issue 17 item 6: any 16 MiB keeper.ini is read or refused with bounded
// allocation (here the bytes allocated, a measure that does not depend on
// the machine's load; the time is in BenchmarkParseShapes).
func TestParseIsBounded(t *testing.T) {
	const limit = 200 << 20
	for _, shape := range boundedShapes {
		t.Run(shape.name, func(t *testing.T) {
			data := fill(shape.head, shape.unit)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := parse(data)
			runtime.ReadMemStats(&after)
			alloc := after.TotalAlloc - before.TotalAlloc
			var le *lineError
			if err != nil && (!errors.As(err, &le) || le.kind != errTooLarge) {
				t.Errorf("refused, but not for its size: %v", err)
			}
			t.Logf("%d bytes: %d MB allocated, %v", len(data), alloc>>20, err)
			if alloc > limit {
				t.Errorf("allocated %d MB reading %d bytes, over %d MB", alloc>>20, len(data), limit>>20)
			}
		})
	}
}

func BenchmarkParseShapes(b *testing.B) {
	for _, shape := range boundedShapes {
		data := fill(shape.head, shape.unit)
		b.Run(strings.ReplaceAll(shape.name, " ", "_"), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				_, _ = parse(data)
			}
		})
	}
}

// --timeout bounds reading keeper.ini: past its deadline the parser stops
// (checked every 4096 lines) with one line saying what to do.
func TestReadWithinTimeout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keeper.ini")
	var b strings.Builder
	for i := range MaxSections {
		b.WriteString("[s" + strconv.Itoa(i) + "]\nk = v\n\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadWithin(path, time.Nanosecond); !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "raise --timeout") {
		t.Errorf("1 ns: %v", err)
	}
	if _, err := ReadWithin(path, 0); err != nil {
		t.Errorf("no limit: %v", err)
	}
	if _, err := ReadWithin(path, time.Minute); err != nil {
		t.Errorf("a minute: %v", err)
	}
}
