package inifile

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/ksm-cli/ksm/internal/atomicfile"
)

// boundedShapes are keeper.ini files of (nearly) atomicfile.MaxSize, each
// a shape that once cost ksm time or memory out of proportion.
func boundedShapes() map[string]string {
	fill := func(head, _ string, each func(i int) string) string {
		var b strings.Builder
		b.Grow(atomicfile.MaxSize)
		b.WriteString(head)
		for i := 0; ; i++ {
			u := each(i)
			if b.Len()+len(u) > atomicfile.MaxSize {
				return b.String()
			}
			b.WriteString(u)
		}
	}
	return map[string]string{
		"1.6 M empty sections": fill("[_config]\n", "", func(i int) string { return fmt.Sprintf("[s%d]\n", i) }),
		"190 k profiles": fill("[_config]\n", "", func(i int) string {
			return fmt.Sprintf("[p%d]\nhostname = keepersecurity.com\nclientid = Y2xpZW50\nprivatekey = cHJpdmF0ZQ==\n\n", i)
		}),
		"one long line":             "[p]\nhostname = " + strings.Repeat("a", atomicfile.MaxSize-20) + "\n",
		"1.4 M keys in one section": fill("[p]\n", "", func(i int) string { return fmt.Sprintf("k%d = v\n", i) }),
		"2 M continuation lines":    fill("[p]\nk = v\n", "", func(int) string { return " x\n" }),
		"DEFAULT keys times sections": fill("[DEFAULT]\n"+func() string {
			var b strings.Builder
			for i := range 100 {
				fmt.Fprintf(&b, "d%d = v\n", i)
			}
			return b.String()
		}(), "", func(i int) string { return fmt.Sprintf("[s%d]\n", i) }),
	}
}

// Issue 17 item 6: any 16 MiB keeper.ini is read or refused with bounded
// allocation (here the bytes allocated, a measure that does not depend on
// the machine's load; the time is in BenchmarkParseShapes).
func TestParseIsBounded(t *testing.T) {
	const limit = 200 << 20
	for name, data := range boundedShapes() {
		t.Run(name, func(t *testing.T) {
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
	for name, data := range boundedShapes() {
		b.Run(strings.ReplaceAll(name, " ", "_"), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				_, _ = parse(data)
			}
		})
	}
}
