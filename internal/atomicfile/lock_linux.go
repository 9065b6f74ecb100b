package atomicfile

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// lockHolder names the process holding a flock on f, from /proc/locks:
// "process 1234 (ksm) of user bob".
func lockHolder(f *os.File) string {
	fi, err := f.Stat()
	if err != nil {
		return "another process"
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "another process"
	}
	locks, err := os.Open("/proc/locks")
	if err != nil {
		return "another process"
	}
	defer locks.Close()
	// 1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF
	want := ":" + strconv.FormatUint(st.Ino, 10)
	sc := bufio.NewScanner(locks)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[1] != "FLOCK" || !strings.HasSuffix(fields[5], want) {
			continue
		}
		if dev := fields[5][:len(fields[5])-len(want)]; dev != devString(uint64(st.Dev)) {
			continue
		}
		pid, err := strconv.Atoi(fields[4])
		if err != nil || pid == os.Getpid() {
			continue
		}
		return describeProcess(pid)
	}
	return "another process"
}

// devString is how /proc/locks writes a device: major:minor in hex.
func devString(dev uint64) string {
	major := (dev >> 8) & 0xfff
	major |= (dev >> 32) & ^uint64(0xfff)
	minor := dev & 0xff
	minor |= (dev >> 12) & ^uint64(0xff)
	return fmt.Sprintf("%02x:%02x", major, minor)
}

func describeProcess(pid int) string {
	desc := "process " + strconv.Itoa(pid)
	if comm, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm"); err == nil {
		desc += " (" + strings.TrimSpace(string(comm)) + ")"
	}
	if fi, err := os.Stat("/proc/" + strconv.Itoa(pid)); err == nil {
		desc += " of user " + userName(ownerOf(fi))
	}
	return desc
}
