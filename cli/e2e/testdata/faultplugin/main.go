// Command faultplugin is a storage plugin that misbehaves on purpose, for
// ksm's end-to-end tests. It is installed as ksm-storage-fault-<mode>; the
// mode in its name picks the fault, since ksm passes plugins no test
// variables.
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"

	"github.com/ksm-cli/ksm/internal/wire"
	"github.com/ksm-cli/ksm/sdk"
	"github.com/ksm-cli/ksm/shared"
)

func main() {
	mode := strings.TrimPrefix(filepath.Base(os.Args[0]), shared.BinaryPrefix+"fault-")
	switch os.Getenv("FAULT_ROLE") { // what the daemon mode's helpers are
	case "middle":
		daemonMiddle()
	case "daemon":
		select {}
	}
	switch mode {
	case "exit": // dies before the handshake
		fmt.Fprintln(os.Stderr, "fault: exiting at start")
		os.Exit(3)
	case "garbage": // prints something that is not a handshake
		fmt.Println("hello, I am not a plugin")
		select {}
	case "hang": // never handshakes
		select {}
	case "partial": // half a handshake line, then exits
		fmt.Print("1|1|unix")
		os.Exit(0)
	case "version": // speaks another protocol version
		hs := wire.Handshake
		hs.ProtocolVersion = 99
		plugin.Serve(&plugin.ServeConfig{HandshakeConfig: hs, Plugins: wire.PluginSet(store{mode}), GRPCServer: plugin.DefaultGRPCServer})
	case "nodetail": // errors as plain gRPC statuses, no StoreError detail
		serveWithoutDetail(store{mode})
	case "daemon": // daemonises a helper the classic way, then serves
		// The child leaves our session, starts the daemon and exits: the
		// daemon is below no one but init (or a subreaper), holding our
		// stdout and stderr.
		child := exec.Command(os.Args[0])
		child.Env = append(os.Environ(), "FAULT_ROLE=middle")
		child.Stdout, child.Stderr = os.Stdout, os.Stderr
		child.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		if err := child.Run(); err != nil {
			os.Exit(4)
		}
		sdk.Serve(store{mode})
	default:
		sdk.Serve(store{mode})
	}
}

func daemonMiddle() {
	daemon := exec.Command(os.Args[0])
	daemon.Env = append(os.Environ(), "FAULT_ROLE=daemon")
	daemon.Stdout, daemon.Stderr = os.Stdout, os.Stderr
	if err := daemon.Start(); err != nil {
		os.Exit(4)
	}
	os.Exit(0)
}

type store struct{ mode string }

func (s store) Describe(_ context.Context, _ *shared.DescribeRequest) (*shared.DescribeResponse, error) {
	name := "fault-" + s.mode
	if s.mode == "wrongname" {
		name = "somethingelse"
	}
	d := &shared.Description{
		Name: name, Version: "0.0.1", ProtocolVersion: shared.ProtocolVersion,
		Summary: "misbehaves on purpose",
		Options: []shared.Option{{Name: "where", Usage: "anything", Type: shared.OptionString, Default: "x"}},
	}
	switch s.mode {
	case "reservedopt": // an option named like a flag of profile setup
		d.Options = append(d.Options, shared.Option{Name: "profile-name", Usage: "clash", Type: shared.OptionString})
	case "storageopt": // an option named storage
		d.Options = append(d.Options, shared.Option{Name: "storage", Usage: "clash", Type: shared.OptionString})
	case "greedyenv": // asks for the whole environment, a letter at a time
		for c := 'A'; c <= 'Z'; c++ {
			d.Env = append(d.Env, string(c)+"*")
		}
	}
	return &shared.DescribeResponse{Description: *d}, nil
}

func (s store) Validate(_ context.Context, req *shared.ValidateRequest) (*shared.ValidateResponse, error) {
	o := req.Options
	switch s.mode {
	case "storageset": // a setting that would change the profile's store type
		return &shared.ValidateResponse{Settings: shared.Settings{"where": o["where"], "storage": "file"}}, nil
	}
	return &shared.ValidateResponse{Settings: shared.Settings{"where": o["where"]}}, nil
}

func (s store) Load(ctx context.Context, _ *shared.LoadRequest) (*shared.LoadResponse, error) {
	switch s.mode {
	case "crash": // dies in the middle of a call
		os.Exit(2)
	case "slow": // answers after any deadline
		<-ctx.Done()
		select {}
	case "oversize": // an answer larger than the protocol allows
		return &shared.LoadResponse{Config: shared.Config{"clientId": strings.Repeat("A", 8<<20), "privateKey": "p", "appKey": "a", "hostname": "US"}}, nil
	case "stdout": // writes to stdout mid-call, then answers
		fmt.Println("stray output with SECRETSTDOUT")
	case "nodetail": // its store is down; the status carries no StoreError detail
		return nil, shared.Errorf(shared.CodeUnavailable, "cannot reach the store at https://store.invalid")
	case "denied":
		return nil, shared.Errorf(shared.CodePermissionDenied, "access to the vault was denied; ask your administrator")
	case "evilmsg": // an error that forges output lines and sends escapes
		return nil, shared.Errorf(shared.CodeNotFound, "no such secret\nProfile: forged\x1b[31m red \x1b]52;c;ZXZpbA==\x07%s", strings.Repeat(" long", 400))
	case "evilvalue": // config values that forge lines and send escapes
		return &shared.LoadResponse{Config: shared.Config{"clientId": "Y2xpZW50", "privateKey": "cHJpdmF0ZQ==", "appKey": "YXBwa2V5",
			"hostname": "EU\nClient id:\tforged\x1b[2J\x1b]0;pwned\x07", "serverPublicKeyId": "10\x1b[31m"}}, nil
	case "procenv": // reads ksm's environment behind its back
		if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", os.Getppid())); err == nil && strings.Contains(string(data), "KSM_TOKEN=") {
			return nil, shared.Errorf(shared.CodeFailedPrecondition, "LEAKED: read KSM_TOKEN from ksm's /proc environ")
		}
		if v, ok := os.LookupEnv("KSM_TOKEN"); ok {
			return nil, shared.Errorf(shared.CodeFailedPrecondition, "LEAKED: given KSM_TOKEN=%s", v)
		}
	}
	return &shared.LoadResponse{Config: shared.Config{"clientId": "Y2xpZW50", "privateKey": "cHJpdmF0ZQ==", "appKey": "YXBwa2V5", "hostname": "EU"}}, nil
}

func (s store) Save(_ context.Context, _ *shared.SaveRequest) (*shared.SaveResponse, error) {
	return nil, shared.Errorf(shared.CodeUnimplemented, "fault store cannot save")
}

// serveWithoutDetail serves s as a store written without the sdk may: every
// error status rebuilt from its code and message alone, the StoreError
// detail dropped. Run by hand, it explains itself as sdk.Serve does.
func serveWithoutDetail(s store) {
	if os.Getenv(shared.MagicCookieKey) != shared.MagicCookieValue {
		sdk.Serve(s)
		return
	}
	strip := func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		resp, err := handler(ctx, req)
		if err != nil {
			st := status.Convert(err)
			return nil, status.Error(st.Code(), st.Message())
		}
		return resp, nil
	}
	plugin.Serve(&plugin.ServeConfig{HandshakeConfig: wire.Handshake, Plugins: wire.PluginSet(s),
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			return grpc.NewServer(append(opts, grpc.ChainUnaryInterceptor(strip))...)
		}})
}
