package launch

import (
	"os/exec"
	"testing"
)

// Where plugins listen on loopback TCP (Windows), go-plugin's AutoMTLS is
// on: no other local user can call the plugin. On unix the 0700 socket
// directory does that without its cost.
func TestClientConfigAutoMTLS(t *testing.T) {
	for goos, want := range map[string]bool{"windows": true, "linux": false, "darwin": false, "freebsd": false} {
		cfg := LaunchConfig{Cmd: exec.Command("/bin/true")}
		if err := checkLaunchConfig(&cfg); err != nil {
			t.Fatal(err)
		}
		cc := clientConfig(cfg, &procRunner{cmd: cfg.Cmd}, t.TempDir(), goos)
		if cc.AutoMTLS != want {
			t.Errorf("%s: AutoMTLS = %v, want %v", goos, cc.AutoMTLS, want)
		}
		if cc.SkipHostEnv != true || len(cc.AllowedProtocols) != 1 {
			t.Errorf("%s: host env passed or protocols %v", goos, cc.AllowedProtocols)
		}
	}
}
