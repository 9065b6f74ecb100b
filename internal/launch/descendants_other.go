//go:build !linux

package launch

// descendants: without /proc, only the process group kill ends what a
// plugin started.
func descendants(int) []int { return nil }

func killAll([]int) {}

// exited: without waitid's WNOWAIT here, only the reaping tells.
func exited(int) bool { return false }

// becomeSubreaper and sweepOrphans: Linux only (PR_SET_CHILD_SUBREAPER).
// Elsewhere a descendant that leaves the plugin's process group and whose
// parent exits goes to init and outlives the plugin.
func becomeSubreaper() bool { return false }

func sweepOrphans() {}
