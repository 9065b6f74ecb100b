package launch

import "sync"

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
