package launch

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/ksm-cli/ksm/internal/scratch"
)

// How long a plugin gets to exit: after go-plugin's controller Shutdown
// (a Go plugin exits at once), and after SIGTERM for a plugin that does
// not serve the controller (most non-Go plugins), before it is killed.
var (
	shutdownGrace = 2 * time.Second
	termGrace     = 200 * time.Millisecond
)

// stop ends the plugin without go-plugin's Kill, which waits 2 s for any
// plugin that does not serve the controller's Shutdown: such a plugin gets
// SIGTERM at once and is killed after termGrace.
func (c *Conn) stop() {
	// Taken first, while the plugin is still their ancestor: what left its
	// process group (setsid), which the group kill misses, is ended too.
	escaped := c.proc.descendants()
	// What double-forked away from a plugin is ours now (AdoptOrphans), an
	// orphan of no plugin: ended first, so that the pipes it may hold do
	// not hold up the wait below.
	sweepOrphans()
	g, _ := c.rpc.(*plugin.GRPCClient)
	asked := false
	if g != nil {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		err := g.Conn.Invoke(ctx, "/plugin.GRPCController/Shutdown", &emptypb.Empty{}, &emptypb.Empty{})
		cancel()
		// go-plugin's Shutdown stops its server before answering, so a Go
		// plugin often answers with a broken connection; only an
		// unimplemented controller says the plugin will not stop itself.
		asked = status.Code(err) != codes.Unimplemented
	}
	if !asked || !c.proc.waitExit(shutdownGrace) {
		c.proc.terminate()
		c.proc.waitExit(termGrace)
	}
	killAll(escaped)
	c.proc.stopAndReap() // also ends whatever the plugin started
	sweepOrphans()       // and reaps what the kills above left to ksm
	if g != nil {
		_ = g.Close() // the process is gone: its Shutdown fails at once
	}
}

// firstLaunch is what the host asked to do right before its first plugin
// starts (BeforeFirstLaunch); nil once done.
var firstLaunch struct {
	sync.Mutex
	do func()
}

// BeforeFirstLaunch sets f to run once, right before this process starts
// its first plugin, and before any other Launch goes on. ksm guards itself
// there (non-dumpable, plugins stopped on SIGTERM and SIGHUP) rather than
// at start-up: a command that starts no plugin pays for neither.
func BeforeFirstLaunch(f func()) {
	firstLaunch.Lock()
	defer firstLaunch.Unlock()
	firstLaunch.do = f
}

func runFirstLaunch() {
	firstLaunch.Lock()
	defer firstLaunch.Unlock()
	if f := firstLaunch.do; f != nil {
		firstLaunch.do = nil
		f()
	}
}

// live holds every Conn not yet closed, for CloseAll.
var live sync.Map // *Conn → struct{}

func track(c *Conn)   { live.Store(c, struct{}{}) }
func untrack(c *Conn) { live.Delete(c) }

// CloseAll stops every plugin this process started and removes their
// socket directories and the scratch files ksm holds (internal/scratch):
// what a signal handler calls before ksm exits.
func CloseAll() {
	defer scratch.RemoveAll()
	var wg sync.WaitGroup
	live.Range(func(k, _ any) bool {
		wg.Add(1)
		go func() { defer wg.Done(); _ = k.(*Conn).Close() }()
		return true
	})
	wg.Wait()
}

// socketDirPrefix names a socket directory by the ksm process that made it,
// so that a later ksm can tell one left by a process that died (SIGKILL
// leaves no chance to remove it).
func socketDirPrefix(pid int) string { return "ksm-" + strconv.Itoa(pid) + "-" }

// removeStaleSocketDirs deletes the socket directories in base of ksm
// processes that no longer exist. Only our own directories are touched;
// failure is harmless.
func removeStaleSocketDirs(base string) {
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), "ksm-")
		if !ok || !e.IsDir() {
			continue
		}
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || pid == os.Getpid() || processExists(pid) {
			continue
		}
		path := filepath.Join(base, e.Name())
		if ownedByUs(path) {
			_ = os.RemoveAll(path)
		}
	}
}

// SocketBase picks where the plugin's private socket directory goes. A unix
// socket path is limited to about 104 bytes, and go-plugin nests two more
// directories, so a long TMPDIR (macOS, test runners) must not be used; the
// directory is 0700 wherever it is. Never a relative directory, and never
// one another user owns or may write (after `su` without `-`,
// XDG_RUNTIME_DIR and TMPDIR may still name the first user's): its owner
// could rename and replace the socket directory. Else it is a directory
// of ksm's own, /tmp/ksm-UID (0700), or /tmp itself (sticky: no one else
// can rename what is ours in it).
func SocketBase(getenv func(string) string) string {
	const maxBase = 40
	for _, dir := range []string{getenv("XDG_RUNTIME_DIR"), getenv("TMPDIR")} {
		if dir != "" && len(dir) <= maxBase && filepath.IsAbs(dir) && privateDir(dir) {
			return filepath.Clean(dir)
		}
	}
	if dir, ok := ownTempBase("/tmp"); ok {
		return dir
	}
	return "/tmp"
}
