package app

import "golang.org/x/sys/unix"

// hardenProcess makes ksm non-dumpable: /proc/<ksm>/environ and /mem then
// belong to root, so a plugin running as the same user cannot read the
// variables ksm withholds from it (KSM_TOKEN, KSM_CONFIG...) or its
// memory, and no core dump holds the keys. A plugin is dumpable again
// after its exec: the setting does not reach it.
func hardenProcess() { _ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0) }
