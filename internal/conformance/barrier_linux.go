package conformance

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// markStdout writes stdoutMarker into the running plugin's stdout, behind
// whatever it has written so far: into its file descriptor 1 (the pipe ksm
// reads) and, for a plugin built on go-plugin, into the pipe go-plugin made
// its os.Stdout and forwards over the stdio stream. It reports which of
// the two it reached; the caller waits for the marker on those only.
func markStdout(pid int) (fd1, stream bool) {
	dir := "/proc/" + strconv.Itoa(pid) + "/fd"
	fd1 = writeMarker(filepath.Join(dir, "1"))
	if p := goPluginStdout(dir); p != "" {
		stream = writeMarker(p)
	}
	return fd1, stream
}

// writeMarker opens a pipe through /proc for writing: a new write end of
// the same pipe, so the marker queues behind what is in it.
func writeMarker(path string) bool {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	_, err = f.Write(stdoutMarker)
	return err == nil
}

// goPluginStdout finds the pipe go-plugin's Serve makes the plugin's
// os.Stdout: both its ends are open in the plugin, and it is the first
// such pipe (the one for os.Stderr is made right after). Empty if there is
// none (a plugin in another language).
func goPluginStdout(dir string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	fds := map[string][]int{}
	for _, e := range entries {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd <= 2 {
			continue
		}
		if link, err := os.Readlink(filepath.Join(dir, e.Name())); err == nil && strings.HasPrefix(link, "pipe:") {
			fds[link] = append(fds[link], fd)
		}
	}
	first := -1
	for _, list := range fds {
		if len(list) >= 2 {
			if low := slices.Min(list); first < 0 || low < first {
				first = low
			}
		}
	}
	if first < 0 {
		return ""
	}
	return filepath.Join(dir, strconv.Itoa(first))
}
