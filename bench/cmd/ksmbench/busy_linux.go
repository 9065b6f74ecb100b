//go:build devtools && linux

package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// busyMark is the machine's CPU time and the bench's own (itself and the
// children it reaped) at one moment.
type busyMark struct {
	busy, total time.Duration // all CPUs, from /proc/stat
	ours        time.Duration
	ok          bool
}

func startBusy() busyMark {
	var m busyMark
	m.busy, m.total, m.ok = procStat()
	m.ours = ownCPU()
	return m
}

// others is the share of the machine's CPU time since m that processes
// other than the bench and its children used, or -1.
func (m busyMark) others() float64 {
	busy, total, ok := procStat()
	if !m.ok || !ok || total <= m.total {
		return -1
	}
	other := (busy - m.busy) - (ownCPU() - m.ours)
	return max(0, float64(other)/float64(total-m.total))
}

// procStat reads the busy and total time of all CPUs.
func procStat() (busy, total time.Duration, ok bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, false
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	if len(f) < 9 || f[0] != "cpu" {
		return 0, 0, false
	}
	var ticks [8]int64
	for i := range ticks {
		ticks[i], _ = strconv.ParseInt(f[i+1], 10, 64)
	}
	var sum int64
	for _, t := range ticks {
		sum += t
	}
	idle := ticks[3] + ticks[4]
	// USER_HZ is 100 on Linux.
	return time.Duration(sum-idle) * 10 * time.Millisecond, time.Duration(sum) * 10 * time.Millisecond, true
}

func ownCPU() time.Duration {
	var d time.Duration
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if syscall.Getrusage(who, &ru) == nil {
			d += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	return d
}
