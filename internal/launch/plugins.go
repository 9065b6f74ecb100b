package launch

import (
	"sync"
	"sync/atomic"
)

// adopting is set once this process is the subreaper of its plugins'
// descendants (AdoptOrphans): sweepOrphans runs only then.
var adopting atomic.Bool

// AdoptOrphans makes this process (on Linux, PR_SET_CHILD_SUBREAPER) the
// parent of whatever its plugins' descendants orphan: a daemon that
// double-forked away from a plugin (a child leaves the session, starts it
// and exits) is below the plugin no more, but it is still ours, and every
// plugin stop then kills and reaps such orphans: each child of ours that is
// neither a live plugin nor in our own process group. ksm calls it right
// before its first plugin (BeforeFirstLaunch): only plugins get a group of
// their own there. A program that also starts children that leave its
// process group (a test starting a daemon beside storagetest) must not
// call it, or those would be taken for orphans. It returns false where
// the kernel has no such setting (not Linux, or too old).
func AdoptOrphans() bool {
	if becomeSubreaper() {
		adopting.Store(true)
	}
	return adopting.Load()
}

// plugins holds the pid of every plugin process this process started and
// os/exec has not reaped yet. sweepOrphans spares them, and holds the lock
// while it looks, so that a plugin forked meanwhile (not yet registered)
// is never taken for an orphan: procRunner.Start forks under it too.
var plugins = struct {
	sync.Mutex
	pids map[int]*procRunner
}{pids: map[int]*procRunner{}}

// unregisterPlugin forgets r's pid once os/exec reaped it (only if that
// pid is still r's: a reused pid may be a newer plugin's).
func unregisterPlugin(r *procRunner, pid int) {
	plugins.Lock()
	defer plugins.Unlock()
	if plugins.pids[pid] == r {
		delete(plugins.pids, pid)
	}
}
