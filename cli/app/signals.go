package app

import (
	"os"
	"os/signal"
	"syscall"

	"github.com/ksm-cli/ksm/internal/launch"
)

// stopSignals end ksm as Ctrl-C does: a terminal closing (SIGHUP) or a
// service manager stopping it (SIGTERM) must not leave a plugin running.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// handleSignals stops every plugin ksm started and removes their socket
// directories when a stop signal arrives, then exits as the signal would
// have (128+n). keeper.ini is never half-written: writes are atomic
// renames, and a temp file left behind is removed by the next write.
// The returned func stops listening.
func handleSignals() (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, stopSignals...)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			launch.CloseAll()
			code := 1
			if s, ok := sig.(syscall.Signal); ok {
				code = 128 + int(s)
			}
			os.Exit(code)
		case <-done:
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}
