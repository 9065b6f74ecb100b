package e2e

import (
	"strings"
	"testing"
	"time"
)

// A plugin whose helper daemonises the classic way (a child leaves the
// session, starts the daemon and exits) leaves nothing behind: the daemon
// is below no plugin, but ksm, its subreaper, ends it when the plugin
// stops, and the stdout and stderr it holds do not hold ksm up.
func TestPluginDaemonIsEnded(t *testing.T) {
	pluginDir := buildFaultPlugins(t, "daemon")
	_, _, run := faultProfile(t, pluginDir, "fault-daemon", "5s")
	if out, err := run("plugin", "trust", "fault-daemon"); err != nil {
		t.Fatalf("trust: %v: %s", err, out)
	}
	if pids := processesUnder(pluginDir); len(pids) > 0 {
		t.Fatalf("plugin trust left processes: %v", pids)
	}
	start := time.Now()
	out, err := run("profile", "show", "p")
	elapsed := time.Since(start)
	if err != nil || !strings.Contains(out, "fault-daemon") {
		t.Fatalf("profile show: %v: %s", err, out)
	}
	t.Logf("profile show took %v", elapsed.Round(time.Millisecond))
	if elapsed > 3*time.Second {
		t.Errorf("profile show took %v: ksm waited for the daemon's pipes", elapsed)
	}
	if pids := processesUnder(pluginDir); len(pids) > 0 {
		t.Errorf("the daemon outlived ksm: %v", pids)
	}
}
