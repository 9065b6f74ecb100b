package sdk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/ksm-cli/ksm/internal/safetext"
	"github.com/ksm-cli/ksm/internal/wire"
	"github.com/ksm-cli/ksm/shared"
)

// drainTimeout bounds how long a plugin asked to stop waits for store
// calls still running. A call that honours its ctx has ended by then; one
// that does not keeps the plugin alive until ksm kills it, which is what
// `ksm plugin check` measures.
const drainTimeout = 10 * time.Second

// Serve is the whole main of a storage plugin: it serves store to ksm over
// gRPC until ksm closes it. Run by hand, it explains what it is and exits 1.
func Serve(store Store) {
	if os.Getenv(shared.MagicCookieKey) != shared.MagicCookieValue {
		printRunByHand(os.Stderr, filepath.Base(os.Args[0]), store)
		os.Exit(1)
	}
	s := &served{Store: store, version: moduleVersion()}
	go exitWithParent(os.Getppid(), time.Second)
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  wire.Handshake,
		VersionedPlugins: wire.VersionedPlugins(s, Logger()),
		GRPCServer:       newGRPCServer,
		Logger:           Logger().Named("go-plugin"),
	})
	s.drain(drainTimeout)
}

// served is the author's store as ksm sees it: the description completed
// with what the sdk knows, and calls counted so that stopping waits for
// them.
type served struct {
	Store
	version string
	calls   sync.WaitGroup
}

func (s *served) Describe(ctx context.Context, req *DescribeRequest) (*DescribeResponse, error) {
	s.calls.Add(1)
	defer s.calls.Done()
	resp, err := s.Store.Describe(ctx, req)
	if err != nil || resp == nil {
		return resp, err
	}
	out := *resp
	if out.Description.ProtocolVersion == 0 {
		out.Description.ProtocolVersion = shared.ProtocolVersion
	}
	if out.Description.Version == "" {
		out.Description.Version = s.version
	}
	return &out, nil
}

func (s *served) Validate(ctx context.Context, req *ValidateRequest) (*ValidateResponse, error) {
	s.calls.Add(1)
	defer s.calls.Done()
	resp, err := s.Store.Validate(ctx, req)
	return resp, oneLine(err)
}

func (s *served) Load(ctx context.Context, req *LoadRequest) (*LoadResponse, error) {
	s.calls.Add(1)
	defer s.calls.Done()
	resp, err := s.Store.Load(ctx, req)
	return resp, oneLine(err)
}

func (s *served) Save(ctx context.Context, req *SaveRequest) (*SaveResponse, error) {
	s.calls.Add(1)
	defer s.calls.Done()
	resp, err := s.Store.Save(ctx, req)
	return resp, oneLine(err)
}

// oneLine keeps an error message one line of plain text, as ksm prints it
// on a terminal: a message that quotes a path or a server's answer may
// hold a line break or an escape sequence, which is shown escaped. The
// code is kept; an error that needs no change is returned as it is.
func oneLine(err error) error {
	if err == nil || safetext.Escape(err.Error()) == err.Error() {
		return err
	}
	code := shared.CodeOf(err)
	switch {
	case code != CodeUnknown:
	case errors.Is(err, context.DeadlineExceeded):
		code = CodeDeadlineExceeded
	case errors.Is(err, context.Canceled):
		code = CodeCanceled
	}
	msg, hint := err.Error(), ""
	var e *shared.Error
	if errors.As(err, &e) {
		msg, hint = e.Message, e.Hint
	}
	return &shared.Error{Code: code, Message: safetext.Escape(msg), Hint: safetext.Escape(hint)}
}

// drain waits up to timeout for the calls still running.
func (s *served) drain(timeout time.Duration) {
	done := make(chan struct{})
	go func() { s.calls.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
		Logger().Error("store calls still running long after ksm stopped waiting for them; they ignore their context")
	}
}

// moduleVersion is the version of the plugin's main module as go install
// records it (e.g. v1.2.0), or "(devel)" for a build from a checkout.
func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// exitWithParent ends the plugin once ksm is gone (the plugin is then
// re-parented, and its parent pid changes): a plugin must never outlive
// the command that started it, even where ksm could not stop it (SIGKILL)
// and the OS has no parent-death signal.
func exitWithParent(ppid int, every time.Duration) {
	for range time.Tick(every) {
		if os.Getppid() != ppid {
			Logger().Debug("ksm is gone; exiting")
			os.Exit(1)
		}
	}
}

// newGRPCServer keeps gRPC's message limit in both directions, so an
// oversized answer fails cleanly on the plugin's side, and the fixed flow
// window ksm dials with (wire.WindowServerOptions).
func newGRPCServer(opts []grpc.ServerOption) *grpc.Server {
	opts = append(opts,
		grpc.MaxRecvMsgSize(wire.MaxMessageSize),
		grpc.MaxSendMsgSize(wire.MaxMessageSize))
	opts = append(opts, wire.WindowServerOptions()...)
	return grpc.NewServer(opts...)
}

func printRunByHand(w io.Writer, binary string, store Store) {
	typ := strings.TrimPrefix(binary, shared.BinaryPrefix)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if r, err := store.Describe(ctx, &DescribeRequest{}); err == nil && r != nil && r.Description.Name != "" {
		typ = r.Description.Name
	}
	fmt.Fprintf(w, "%s is a ksm storage plugin (type %q): ksm starts it when a profile "+
		"needs it, so it is not meant to be run by hand. Install it next to the ksm "+
		"executable or in a plugin directory (see `ksm plugin list`), then use "+
		"`ksm profile setup --type=%s`.\n", binary, typ, typ)
}
