package launch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	hclog "github.com/hashicorp/go-hclog"
	plugin "github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-plugin/runner"
	"google.golang.org/grpc"

	"github.com/ksm-cli/ksm/internal/wire"
	"github.com/ksm-cli/ksm/shared"
)

// DefaultStartTimeout bounds a plugin's start-up when LaunchConfig has none.
const DefaultStartTimeout = 10 * time.Second

// LaunchConfig says how to start one storage plugin.
type LaunchConfig struct {
	// Cmd is the plugin, not yet started, executed directly (never through
	// a shell). The caller sets Path (absolute), Args and Env, not Dir:
	// every plugin starts in StartDir, never in the user's directory. Env is the
	// plugin's whole environment: nil means empty, never the host's; Launch
	// adds only the go-plugin handshake variables and EnvLogLevel. Stdout
	// and Stderr must be nil; a nil Stdin gives the plugin /dev/null.
	Cmd *exec.Cmd
	// Logger receives the plugin's stderr log lines (JSON hclog lines keep
	// their level) and go-plugin's own logs; nil discards them.
	Logger hclog.Logger
	// StartTimeout bounds the wait for the handshake (DefaultStartTimeout
	// if zero). The ctx given to Launch can end the start-up sooner.
	StartTimeout time.Duration
	// Stdout receives whatever the plugin writes to stdout after the
	// handshake (nothing, for a well-behaved plugin). If nil, such output is
	// dropped with a warning to Logger.
	Stdout io.Writer
	// Exec, if set, is the plugin's executable, already opened and verified
	// by the caller. On Linux the plugin is started from this open file
	// (/proc/self/fd/N), so the bytes that run are the bytes verified even
	// if the path is swapped meanwhile; elsewhere Cmd.Path is run. The
	// caller keeps it open until Launch returns and closes it after.
	Exec *os.File
	// Name names the plugin in messages (filepath.Base(Cmd.Path) if empty).
	Name string
	// SocketBaseDir is where the plugin's private socket directory is
	// created (SocketBase(os.Getenv) if empty). Keep it short: socket
	// paths are limited to about 100 bytes.
	SocketBaseDir string
}

// Conn is a running plugin. Close it when done.
type Conn struct {
	// Store calls the plugin; each call takes the caller's ctx.
	Store shared.Store

	name   string
	client *plugin.Client
	rpc    plugin.ClientProtocol // nil until connected
	proc   *procRunner
	dir    string

	closeOnce sync.Once
	closeErr  error
}

// Launch starts the plugin of cfg.Cmd and connects to it over gRPC on a
// Unix socket in a fresh directory only we can enter (mode 0700), which
// keeps other local users from connecting or reading what it returns,
// without the ~65 ms per launch of go-plugin's AutoMTLS. ctx bounds the
// start-up only; a failed start leaves no process behind and returns an
// *Error naming the plugin.
func Launch(ctx context.Context, cfg LaunchConfig) (*Conn, error) {
	if err := checkLaunchConfig(&cfg); err != nil {
		return nil, err
	}
	name := cfg.Name
	if name == "" {
		name = filepath.Base(cfg.Cmd.Path)
	}
	cfg.Cmd.Dir = StartDir(cfg.Cmd.Path) // the real path, before execVerified
	if cfg.Exec != nil {
		execVerified(cfg.Cmd, cfg.Exec)
	}
	runFirstLaunch()
	base := cfg.SocketBaseDir
	if base == "" {
		base = SocketBase(os.Getenv)
	}
	removeStaleSocketDirs(base)
	dir, err := os.MkdirTemp(base, socketDirPrefix(os.Getpid()))
	if err != nil {
		return nil, shared.Errorf(shared.CodeUnavailable, "create a socket directory for plugin %s: %v", name, err)
	}
	proc, err := newProcRunner(cfg.Cmd)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, shared.Errorf(shared.CodeUnavailable, "prepare plugin %s: %v", name, err)
	}
	env := append([]string(nil), logLevelEnv(cfg.Logger)...)
	cfg.Cmd.Env = append(env, SafePath(cfg.Cmd.Env)...)

	c := &Conn{name: name, proc: proc, dir: dir}
	track(c)
	c.client = plugin.NewClient(clientConfig(cfg, proc, dir, runtime.GOOS))

	// The ctx ending kills the process, which ends go-plugin's wait for the
	// handshake at once.
	stop := context.AfterFunc(ctx, proc.kill)
	started := time.Now()
	store, err := c.connect(dir)
	if !stop() && err == nil {
		err = ctx.Err()
	}
	if err != nil {
		// No go-plugin Kill: it would first dial the plugin to ask it to
		// exit, and the address may be one we refused.
		c.proc.stopAndReap() // so that its exit status is known below
		if c.rpc != nil {
			_ = c.rpc.Close()
		}
		_ = os.RemoveAll(dir)
		untrack(c)
		return nil, c.startError(ctx, cfg.StartTimeout, time.Since(started), err)
	}
	c.Store = store
	return c, nil
}

// ExecVerified makes cmd, not yet started, run the open file f (opened
// and verified by the caller, kept open until cmd has started) rather than
// whatever its path names by the time of exec: on Linux through
// /proc/self/fd, as Launch does with LaunchConfig.Exec; elsewhere cmd runs
// its path and the ownership rule keeps others from swapping it. For
// starts that do not go through Launch (`ksm plugin check` reads the
// handshake itself).
func ExecVerified(cmd *exec.Cmd, f *os.File) {
	if f != nil {
		execVerified(cmd, f)
	}
}

// clientConfig is how go-plugin runs the plugin on goos. With Unix sockets
// (every unix) the channel is a socket in a 0700 directory only we can
// enter. Without them (Windows) go-plugin listens on loopback TCP, which
// any local user can reach: there AutoMTLS makes both sides prove a
// certificate made for this one launch, so no one else can call the plugin
// or read what it returns.
func clientConfig(cfg LaunchConfig, proc *procRunner, dir, goos string) *plugin.ClientConfig {
	name := cfg.Name
	if name == "" {
		name = filepath.Base(cfg.Cmd.Path)
	}
	return &plugin.ClientConfig{
		HandshakeConfig:  wire.Handshake,
		VersionedPlugins: wire.VersionedPlugins(nil, nil),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Managed:          false,
		StartTimeout:     cfg.StartTimeout,
		Logger:           hostLogger{cfg.Logger},
		SyncStdout:       cfg.Stdout,
		SyncStderr:       cfg.Logger.Named(name).StandardWriter(&hclog.StandardLoggerOptions{ForceLevel: hclog.Debug}),
		SkipHostEnv:      true,
		AutoMTLS:         goos == "windows",
		// go-plugin makes its socket directory (0700) inside ours and passes
		// it in PLUGIN_UNIX_SOCKET_DIR; only a RunnerFunc gets that.
		UnixSocketConfig: &plugin.UnixSocketConfig{TempDir: dir},
		RunnerFunc: func(_ hclog.Logger, spec *exec.Cmd, _ string) (runner.Runner, error) {
			cfg.Cmd.Env = append(cfg.Cmd.Env, spec.Env...)
			return proc, nil
		},
		GRPCDialOptions: append([]grpc.DialOption{grpc.WithDefaultCallOptions(
			grpc.MaxCallRecvMsgSize(wire.MaxMessageSize), grpc.MaxCallSendMsgSize(wire.MaxMessageSize))},
			wire.WindowDialOptions()...),
	}
}

func (c *Conn) connect(dir string) (shared.Store, error) {
	addr, err := c.client.Start()
	if err != nil {
		return nil, err
	}
	if err := checkAddr(c.name, addr, dir); err != nil {
		return nil, err
	}
	rpc, err := c.client.Client()
	if err != nil {
		return nil, err
	}
	c.rpc = rpc
	raw, err := rpc.Dispense(shared.PluginName)
	if err != nil {
		return nil, err
	}
	store, ok := raw.(shared.Store)
	if !ok {
		return nil, fmt.Errorf("dispensed %T, not a Store", raw)
	}
	return store, nil
}

// Close stops the plugin (asking it first, then killing it and whatever it
// started), reaps it and removes its socket directory. Safe to call again,
// and from another goroutine (a signal handler) while a call is running.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		c.stop()
		if err := os.RemoveAll(c.dir); err != nil {
			c.closeErr = fmt.Errorf("remove the socket directory of plugin %s: %w", c.name, err)
		}
		untrack(c)
	})
	return c.closeErr
}

func checkLaunchConfig(cfg *LaunchConfig) error {
	switch {
	case cfg.Cmd == nil:
		return errors.New("launch: LaunchConfig.Cmd is nil")
	case cfg.Cmd.Process != nil:
		return errors.New("launch: LaunchConfig.Cmd was already started")
	case cfg.Cmd.Stdout != nil || cfg.Cmd.Stderr != nil:
		return errors.New("launch: LaunchConfig.Cmd must not set Stdout or Stderr")
	case cfg.Cmd.Err != nil:
		return shared.Errorf(shared.CodeUnavailable, "cannot start plugin %s: %v", cfg.Cmd.Path, cfg.Cmd.Err)
	case cfg.Cmd.Dir != "":
		return errors.New("launch: LaunchConfig.Cmd must not set Dir (Launch starts every plugin in StartDir)")
	case cfg.Cmd.SysProcAttr != nil:
		return errors.New("launch: LaunchConfig.Cmd must not set SysProcAttr (Launch sets the process group and parent-death signal)")
	case !filepath.IsAbs(cfg.Cmd.Path):
		return fmt.Errorf("launch: plugin path %q is not absolute", cfg.Cmd.Path)
	}
	if cfg.Logger == nil {
		cfg.Logger = hclog.NewNullLogger()
	}
	if cfg.StartTimeout <= 0 {
		cfg.StartTimeout = DefaultStartTimeout
	}
	if cfg.Stdout == nil {
		cfg.Stdout = &strayStdout{logger: cfg.Logger, name: filepath.Base(cfg.Cmd.Path)}
	}
	cfg.Cmd.Env = slices.Clip(cfg.Cmd.Env)
	return nil
}

// logLevelEnv passes the host's log level to the plugin, so that it does not
// format lines the host would drop.
func logLevelEnv(l hclog.Logger) []string {
	lvl := l.GetLevel()
	if lvl < hclog.Trace || lvl > hclog.Off {
		return nil
	}
	return []string{shared.EnvLogLevel + "=" + lvl.String()}
}
