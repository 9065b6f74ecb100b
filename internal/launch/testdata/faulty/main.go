// Command faulty is a storage plugin for shared's tests: KSM_TEST_MODE makes
// it misbehave at start-up, and its Load misbehaves on request (settings).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	grpccodes "google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ksm-cli/ksm/internal/wire"
	"github.com/ksm-cli/ksm/sdk"
	"github.com/ksm-cli/ksm/shared"
)

func main() {
	recordPid(os.Getpid())
	switch os.Getenv("KSM_TEST_MODE") {
	case "exit":
		fmt.Fprintln(os.Stderr, "faulty: giving up at start")
		os.Exit(3)
	case "garbage":
		fmt.Println("hello from a confused plugin")
		select {}
	case "hang":
		select {}
	case "tcp":
		fmt.Println("1|1|tcp|127.0.0.1:1|grpc|")
		select {}
	case "version":
		hs := wire.Handshake
		hs.ProtocolVersion = 99
		plugin.Serve(&plugin.ServeConfig{HandshakeConfig: hs, Plugins: wire.PluginSet(store{}), GRPCServer: plugin.DefaultGRPCServer})
	case "noshutdown":
		// Like a plugin written from the protocol alone: no go-plugin
		// controller, so ksm cannot ask it to stop. It notes SIGTERM.
		terms := make(chan os.Signal, 1)
		signal.Notify(terms, syscall.SIGTERM)
		go func() {
			<-terms
			recordLine("SIGTERM")
			os.Exit(0)
		}()
		plugin.Serve(&plugin.ServeConfig{HandshakeConfig: wire.Handshake, Plugins: wire.PluginSet(store{}),
			GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
				return grpc.NewServer(append(opts, grpc.UnaryInterceptor(noController))...)
			}})
	case "spawn":
		// A child that outlives us unless the host kills our process group;
		// it holds our stdout and stderr open, too.
		child := exec.Command(os.Args[0])
		child.Env = append(os.Environ(), "KSM_TEST_MODE=hang")
		child.Stdout, child.Stderr = os.Stdout, os.Stderr
		if err := child.Start(); err != nil {
			os.Exit(4)
		}
		sdk.Serve(store{})
	case "setsid":
		// A child that leaves our process group and session (as a
		// daemonising helper would), holding our stdout and stderr.
		child := exec.Command(os.Args[0])
		child.Env = append(os.Environ(), "KSM_TEST_MODE=hang")
		child.Stdout, child.Stderr = os.Stdout, os.Stderr
		child.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		if err := child.Start(); err != nil {
			os.Exit(4)
		}
		sdk.Serve(store{})
	case "daemon":
		// A helper that daemonises the classic way: a child leaves our
		// session, starts the grandchild and exits, so the grandchild is
		// no longer below us. It holds our stdout and stderr; we serve on.
		child := exec.Command(os.Args[0])
		child.Env = append(os.Environ(), "KSM_TEST_MODE=daemon-middle")
		child.Stdout, child.Stderr = os.Stdout, os.Stderr
		child.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		if err := child.Run(); err != nil {
			os.Exit(4)
		}
		sdk.Serve(store{})
	case "daemon-middle":
		grandchild := exec.Command(os.Args[0])
		grandchild.Env = append(os.Environ(), "KSM_TEST_MODE=hang")
		grandchild.Stdout, grandchild.Stderr = os.Stdout, os.Stderr
		if err := grandchild.Start(); err != nil {
			os.Exit(4)
		}
		recordPid(grandchild.Process.Pid) // before the plugin serves: the test reads it then
		os.Exit(0)
	default:
		sdk.Serve(store{})
	}
}

func noController(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	if strings.HasPrefix(info.FullMethod, "/plugin.GRPCController/") {
		return nil, status.Error(grpccodes.Unimplemented, "no controller")
	}
	return h(ctx, req)
}

func recordPid(pid int) { recordLine(strconv.Itoa(pid)) }

func recordLine(line string) {
	if path := os.Getenv("KSM_TEST_PIDFILE"); path != "" {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err == nil {
			fmt.Fprintln(f, line)
			_ = f.Close()
		}
	}
}

type store struct{}

func (store) Describe(_ context.Context, _ *shared.DescribeRequest) (*shared.DescribeResponse, error) {
	return &shared.DescribeResponse{Description: shared.Description{
		Name: "faulty", Version: "1.0.0", ProtocolVersion: shared.ProtocolVersion,
		Options: []shared.Option{sdk.String("mode", "what to do")},
	}}, nil
}

func (store) Validate(_ context.Context, req *shared.ValidateRequest) (*shared.ValidateResponse, error) {
	options := req.Options
	return &shared.ValidateResponse{Settings: shared.Settings(options)}, nil
}

var codes = map[string]shared.Code{
	"not-found": shared.CodeNotFound, "unavailable": shared.CodeUnavailable,
	"permission-denied": shared.CodePermissionDenied,
}

// Load does what settings ask.
func (store) Load(ctx context.Context, req *shared.LoadRequest) (*shared.LoadResponse, error) {
	s := req.Settings
	switch {
	case s["code"] != "":
		return nil, shared.Errorf(codes[s["code"]], "%s", s["message"])
	case s["block"] != "":
		<-ctx.Done()
		return nil, ctx.Err()
	case s["ignore-ctx"] != "":
		select {}
	case s["crash"] != "":
		os.Exit(2)
	case s["stdout"] != "":
		fmt.Println(s["stdout"])
	case s["big"] != "":
		n, _ := strconv.Atoi(s["big"])
		return &shared.LoadResponse{Config: shared.Config{"clientId": strings.Repeat("x", n)}}, nil
	case s["env"] != "":
		v, ok := os.LookupEnv(s["env"])
		return &shared.LoadResponse{Config: shared.Config{"value": v, "set": strconv.FormatBool(ok)}}, nil
	case s["cwd"] != "":
		wd, err := os.Getwd()
		if err != nil {
			wd = "error: " + err.Error()
		}
		return &shared.LoadResponse{Config: shared.Config{"value": wd}}, nil
	case s["log"] != "":
		sdk.Logger().Warn(s["log"])
	}
	_, hasDeadline := ctx.Deadline()
	return &shared.LoadResponse{Config: shared.Config{"clientId": "test-client", "hasDeadline": strconv.FormatBool(hasDeadline)}}, nil
}

func (store) Save(_ context.Context, _ *shared.SaveRequest) (*shared.SaveResponse, error) {
	return nil, errors.New("save is not supported here")
}
