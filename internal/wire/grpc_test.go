package wire

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	hclog "github.com/hashicorp/go-hclog"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/ksm-cli/ksm/internal/storecall"
	"github.com/ksm-cli/ksm/shared"
	storagev1 "github.com/ksm-cli/ksm/shared/proto/storage/v1"
)

// fakeStore answers with its function fields.
type fakeStore struct {
	describe func(context.Context) (*shared.Description, error)
	validate func(context.Context, map[string]string) (shared.Settings, error)
	load     func(context.Context, shared.Settings) (shared.Config, error)
	save     func(context.Context, shared.SaveRequest) error
}

func (f *fakeStore) Describe(ctx context.Context, _ *shared.DescribeRequest) (*shared.DescribeResponse, error) {
	d, err := f.describe(ctx)
	if d == nil {
		return nil, err
	}
	return &shared.DescribeResponse{Description: *d}, err
}
func (f *fakeStore) Validate(ctx context.Context, r *shared.ValidateRequest) (*shared.ValidateResponse, error) {
	s, err := f.validate(ctx, r.Options)
	return &shared.ValidateResponse{Settings: s}, err
}
func (f *fakeStore) Load(ctx context.Context, r *shared.LoadRequest) (*shared.LoadResponse, error) {
	c, err := f.load(ctx, r.Settings)
	return &shared.LoadResponse{Config: c}, err
}
func (f *fakeStore) Save(ctx context.Context, r *shared.SaveRequest) (*shared.SaveResponse, error) {
	return &shared.SaveResponse{}, f.save(ctx, *r)
}

// serveInProcess serves impl the way a plugin does (same size limits) and
// returns the host's Store for it, plus a func that stops the server.
func serveInProcess(t *testing.T, impl shared.Store) (shared.Store, func()) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "s")
	lis, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(grpc.MaxRecvMsgSize(MaxMessageSize), grpc.MaxSendMsgSize(MaxMessageSize))
	if err := (&StoragePlugin{Impl: impl, Logger: hclog.NewNullLogger()}).GRPCServer(nil, srv); err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(lis) }()
	conn, err := grpc.NewClient("unix://"+sock,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(MaxMessageSize), grpc.MaxCallSendMsgSize(MaxMessageSize)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(); srv.Stop() })
	raw, err := (&StoragePlugin{}).GRPCClient(context.Background(), nil, conn)
	if err != nil {
		t.Fatal(err)
	}
	return raw.(shared.Store), srv.Stop
}

func loadFails(err error) *fakeStore {
	return &fakeStore{load: func(context.Context, shared.Settings) (shared.Config, error) { return nil, err }}
}

func TestErrorCodesRoundTrip(t *testing.T) {
	for code := range grpcCodes {
		name := code.String()
		t.Run(name, func(t *testing.T) {
			msg := "store says " + name + ` with "quotes"`
			client, _ := serveInProcess(t, loadFails(shared.Errorf(code, "%s", msg)))
			_, err := storecall.Load(context.Background(), client, shared.Settings{"k": "v"})
			var e *shared.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %T %v, want *Error", err, err)
			}
			if e.Code != code || e.Message != msg {
				t.Errorf("got code %v message %q, want %v %q", e.Code, e.Message, code, msg)
			}
			if !errors.Is(err, &shared.Error{Code: code}) {
				t.Errorf("errors.Is does not match code %v", code)
			}
		})
	}
}

// A store's hint reaches the host once, after its message, in the one line
// the host prints (an older host, which knows no Hint, reads the same).
func TestHintReachesHostOnce(t *testing.T) {
	const msg, hint = "the token was refused", "run `login` again"
	client, _ := serveInProcess(t, loadFails(&shared.Error{Code: shared.CodeUnauthenticated, Message: msg, Hint: hint}))
	_, err := storecall.Load(context.Background(), client, shared.Settings{"k": "v"})
	if shared.CodeOf(err) != shared.CodeUnauthenticated {
		t.Fatalf("code %v, want unauthenticated: %v", shared.CodeOf(err), err)
	}
	if got, want := err.Error(), msg+"; "+hint; got != want {
		t.Errorf("host reads %q, want %q", got, want)
	}
	if n := strings.Count(err.Error(), hint); n != 1 {
		t.Errorf("hint appears %d times in %q", n, err.Error())
	}
}

func TestGRPCCodeMappingIsOneToOne(t *testing.T) {
	seen := map[codes.Code]shared.Code{}
	for c := range grpcCodes {
		g := grpcCode(c)
		if other, dup := seen[g]; dup {
			t.Errorf("%v and %v both map to %v", c, other, g)
		}
		seen[g] = c
		if back := codeFromGRPC(g); back != c {
			t.Errorf("%v -> %v -> %v", c, g, back)
		}
	}
	// Every code the contract names has its own gRPC code.
	for c := shared.Code(1); c.String() != "unknown"; c++ {
		if _, ok := grpcCodes[c]; !ok {
			t.Errorf("code %v has no gRPC code", c)
		}
	}
	if got := codeFromGRPC(codes.Internal); got != shared.CodeUnknown {
		t.Errorf("Internal maps to %v, want unknown", got)
	}
}

func TestStoreErrorsWithoutCode(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantCode shared.Code
		wantMsg  string
	}{
		{"plain error", errors.New("disk on fire"), shared.CodeUnknown, "disk on fire"},
		{"wrapped typed error", errWrap{shared.Errorf(shared.CodeNotFound, "no such secret")}, shared.CodeNotFound, "no such secret"},
		{"store's own deadline", context.DeadlineExceeded, shared.CodeDeadlineExceeded, "context deadline exceeded"},
		{"store's own cancel", context.Canceled, shared.CodeCanceled, "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, _ := serveInProcess(t, loadFails(tt.err))
			_, err := storecall.Load(context.Background(), client, nil)
			if shared.CodeOf(err) != tt.wantCode || err.Error() != tt.wantMsg {
				t.Errorf("got %v %q, want %v %q", shared.CodeOf(err), err, tt.wantCode, tt.wantMsg)
			}
		})
	}
}

type errWrap struct{ err error }

func (e errWrap) Error() string { return "wrapped: " + e.err.Error() }
func (e errWrap) Unwrap() error { return e.err }

func TestDescribeRoundTrip(t *testing.T) {
	want := &shared.Description{
		Name: "vault", Version: "1.2.3", ProtocolVersion: 1, Summary: "keeps configs in vault",
		Options: []shared.Option{
			{Name: "path", Short: "P", Usage: "where", Type: shared.OptionString, Required: true, EnvVars: []string{"VAULT_PATH"}},
			{Name: "token", Usage: "token", Type: shared.OptionString, Sensitive: true},
			{Name: "tls", Usage: "use tls", Type: shared.OptionBool, Default: "true"},
			{Name: "mode", Usage: "kv version", Type: shared.OptionEnum, Allowed: []string{"v1", "v2"}, Default: "v2"},
		},
		CanSave: true,
		Env:     []string{"VAULT_*", "HOME"},
	}
	client, _ := serveInProcess(t, &fakeStore{describe: func(context.Context) (*shared.Description, error) { return want, nil }})
	got, err := storecall.Describe(context.Background(), client)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestDescribeRejectsBadOptionType(t *testing.T) {
	bad := &shared.Description{Name: "x", Options: []shared.Option{{Name: "o", Type: shared.OptionType(42)}}}
	client, _ := serveInProcess(t, &fakeStore{describe: func(context.Context) (*shared.Description, error) { return bad, nil }})
	_, err := storecall.Describe(context.Background(), client)
	if shared.CodeOf(err) != shared.CodeUnknown || !strings.Contains(err.Error(), `option "o" has unknown type 42`) {
		t.Errorf("got %v", err)
	}
}

func TestMapsPassThrough(t *testing.T) {
	var gotSave shared.SaveRequest
	store := &fakeStore{
		validate: func(_ context.Context, o map[string]string) (shared.Settings, error) {
			return shared.Settings{"path": "/abs/" + o["path"]}, nil
		},
		load: func(_ context.Context, s shared.Settings) (shared.Config, error) {
			return shared.Config{"clientId": "id-for-" + s["path"]}, nil
		},
		save: func(_ context.Context, r shared.SaveRequest) error { gotSave = r; return nil },
	}
	client, _ := serveInProcess(t, store)
	ctx := context.Background()
	settings, err := storecall.Validate(ctx, client, map[string]string{"path": "p"})
	if err != nil || settings["path"] != "/abs/p" {
		t.Fatalf("validate: %v %v", settings, err)
	}
	cfg, err := storecall.Load(ctx, client, settings)
	if err != nil || cfg["clientId"] != "id-for-/abs/p" {
		t.Fatalf("load: %v %v", cfg, err)
	}
	req := shared.SaveRequest{Settings: settings, Config: shared.Config{"clientId": "c", "hostname": "h"}, Overwrite: true}
	if err := storecall.Save(ctx, client, req); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotSave, req) {
		t.Errorf("store got %+v, want %+v", gotSave, req)
	}
	// An empty answer is an empty map, not nil.
	store.load = func(context.Context, shared.Settings) (shared.Config, error) { return nil, nil }
	if cfg, err := storecall.Load(ctx, client, nil); err != nil || cfg == nil {
		t.Errorf("empty load: %#v %v", cfg, err)
	}
}

func TestHostContextReachesStore(t *testing.T) {
	sawDeadline := make(chan bool, 1)
	store := loadFails(nil)
	store.load = func(ctx context.Context, _ shared.Settings) (shared.Config, error) {
		_, ok := ctx.Deadline()
		sawDeadline <- ok
		<-ctx.Done()
		return nil, ctx.Err()
	}
	client, _ := serveInProcess(t, store)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := storecall.Load(ctx, client, nil)
	if shared.CodeOf(err) != shared.CodeDeadlineExceeded || !strings.Contains(err.Error(), "did not answer load before the deadline") {
		t.Errorf("got %v %v", shared.CodeOf(err), err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("returned after %v", d)
	}
	if !<-sawDeadline {
		t.Error("the store's ctx had no deadline")
	}

	ctx, cancel = context.WithCancel(context.Background())
	go func() { <-sawDeadline; cancel() }()
	_, err = storecall.Load(ctx, client, nil)
	if shared.CodeOf(err) != shared.CodeCanceled {
		t.Errorf("cancel: got %v %v", shared.CodeOf(err), err)
	}
}

func TestOversizedAndMalformed(t *testing.T) {
	big := strings.Repeat("k", MaxMessageSize+1)
	store := &fakeStore{
		load: func(_ context.Context, s shared.Settings) (shared.Config, error) {
			return shared.Config{"clientId": big}, nil
		},
		save: func(context.Context, shared.SaveRequest) error {
			t.Error("an invalid save reached the store")
			return nil
		},
		validate: func(context.Context, map[string]string) (shared.Settings, error) {
			t.Error("an invalid validate reached the store")
			return nil, nil
		},
	}
	client, _ := serveInProcess(t, store)
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"oversized answer", func() error { _, err := storecall.Load(ctx, client, nil); return err },
			"load: message exceeds the plugin protocol's 4 MiB limit"},
		{"oversized request", func() error {
			return storecall.Save(ctx, client, shared.SaveRequest{Config: shared.Config{"clientId": big}})
		},
			"save: request of 4194325 bytes exceeds the plugin protocol's 4 MiB limit"},
		{"invalid utf-8 value", func() error { _, err := storecall.Validate(ctx, client, map[string]string{"path": "\xff"}); return err },
			`validate: the value of option "path" is not valid UTF-8`},
		{"invalid utf-8 config key", func() error {
			return storecall.Save(ctx, client, shared.SaveRequest{Config: shared.Config{"\xfe": "v"}})
		},
			"save: a config key name is not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if shared.CodeOf(err) != shared.CodeInvalidArgument || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("got %v %q, want invalid argument %q", shared.CodeOf(err), err, tt.want)
			}
		})
	}
}

func TestStorePanicIsAnError(t *testing.T) {
	calls := 0
	store := loadFails(nil)
	store.load = func(context.Context, shared.Settings) (shared.Config, error) {
		calls++
		if calls == 1 {
			panic("store bug")
		}
		return shared.Config{"clientId": "ok"}, nil
	}
	client, _ := serveInProcess(t, store)
	_, err := storecall.Load(context.Background(), client, nil)
	if shared.CodeOf(err) != shared.CodeUnknown || !strings.Contains(err.Error(), "the plugin failed during load (a bug in the plugin)") {
		t.Fatalf("got %v %v", shared.CodeOf(err), err)
	}
	if _, err := storecall.Load(context.Background(), client, nil); err != nil {
		t.Errorf("plugin did not survive its panic: %v", err)
	}
}

func TestTransportFailure(t *testing.T) {
	client, stop := serveInProcess(t, loadFails(nil))
	stop()
	_, err := storecall.Load(context.Background(), client, nil)
	if shared.CodeOf(err) != shared.CodeUnavailable || !strings.Contains(err.Error(), "lost the connection to the plugin during load") {
		t.Errorf("got %v %v", shared.CodeOf(err), err)
	}
}

// Statuses without the StoreError mark come from gRPC or a plugin written
// without the sdk.
func TestFromStatusUnmarked(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		err      error
		wantCode shared.Code
		want     string
	}{
		{status.Error(codes.NotFound, "no secret"), shared.CodeNotFound, "no secret"},
		{status.Error(codes.Unavailable, "error reading from server: EOF"), shared.CodeUnavailable,
			"lost the connection to the plugin during load; it exited or crashed (error reading from server: EOF)"},
		{status.Error(codes.Canceled, "grpc: the client connection is closing"), shared.CodeUnavailable,
			"load: the connection to the plugin is closed"},
		{status.Error(codes.Internal, "grpc: failed to unmarshal"), shared.CodeUnknown, "load: plugin protocol error: grpc: failed to unmarshal"},
		{status.Error(codes.Unimplemented, "method Load not implemented"), shared.CodeUnimplemented, "method Load not implemented"},
		{errors.New("not a status"), shared.CodeUnknown, "load: not a status"},
	}
	for _, tt := range tests {
		err := fromStatus(ctx, "load", tt.err)
		if shared.CodeOf(err) != tt.wantCode || err.Error() != tt.want {
			t.Errorf("%v: got %v %q, want %v %q", tt.err, shared.CodeOf(err), err, tt.wantCode, tt.want)
		}
	}
}

// A store that gives up before the host's deadline and says why (a
// keyring waiting on an unlock prompt) is heard out, not reported as a
// plugin that did not answer.
func TestStoreDeadlineExplanationKept(t *testing.T) {
	const why = "the keyring did not answer in time; unlock it"
	client, _ := serveInProcess(t, loadFails(shared.Errorf(shared.CodeDeadlineExceeded, why)))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := storecall.Load(ctx, client, nil)
	if shared.CodeOf(err) != shared.CodeDeadlineExceeded || err.Error() != why {
		t.Errorf("got %v %q, want %q", shared.CodeOf(err), err, why)
	}
}

// working_dir (field 2 of ValidateRequest) is the worked example of
// compatible growth: it crosses the wire, a request of the shape before it
// (an older host) still decodes, and an older plugin's shape (field 1
// alone) decodes the new request, keeping field 2 as an unknown field.
func TestValidateWorkingDirGrowth(t *testing.T) {
	var got *shared.ValidateRequest
	srv, _ := serveInProcess(t, validateSees(&fakeStore{}, &got))
	ctx := context.Background()
	if _, err := srv.Validate(ctx, &shared.ValidateRequest{Options: map[string]string{"path": "rel/ksm.json"}, WorkingDir: "/home/u/proj"}); err != nil {
		t.Fatal(err)
	}
	if got.WorkingDir != "/home/u/proj" || got.Options["path"] != "rel/ksm.json" {
		t.Errorf("the store got %+v", got)
	}

	// An older host's request: options only, no field 2.
	var old []byte
	entry := protowire.AppendTag(nil, 1, protowire.BytesType)
	entry = protowire.AppendString(entry, "path")
	entry = protowire.AppendTag(entry, 2, protowire.BytesType)
	entry = protowire.AppendString(entry, "rel/ksm.json")
	old = protowire.AppendTag(old, 1, protowire.BytesType)
	old = protowire.AppendBytes(old, entry)
	var req storagev1.ValidateRequest
	if err := proto.Unmarshal(old, &req); err != nil {
		t.Fatalf("an older host's request does not decode: %v", err)
	}
	if req.GetWorkingDir() != "" || req.GetOptions()["path"] != "rel/ksm.json" {
		t.Errorf("an older host's request decodes as %v", &req)
	}

	// An older plugin's ValidateRequest has the shape ValidateResponse has
	// today (map<string, string> = 1): the new field does not disturb it.
	newer, err := proto.Marshal(&storagev1.ValidateRequest{Options: map[string]string{"path": "p"}, WorkingDir: "/w"})
	if err != nil {
		t.Fatal(err)
	}
	var older storagev1.ValidateResponse
	if err := proto.Unmarshal(newer, &older); err != nil {
		t.Fatalf("an older plugin cannot decode the new request: %v", err)
	}
	if older.GetSettings()["path"] != "p" || len(older.ProtoReflect().GetUnknown()) == 0 {
		t.Errorf("an older plugin decodes %v (unknown %q)", &older, older.ProtoReflect().GetUnknown())
	}
}

// A working directory that is not UTF-8 is refused before it is sent:
// protobuf strings must be UTF-8, and gRPC's own refusal names nothing.
func TestValidateWorkingDirNotUTF8(t *testing.T) {
	var got *shared.ValidateRequest
	client, _ := serveInProcess(t, validateSees(&fakeStore{}, &got))
	_, err := client.Validate(context.Background(), &shared.ValidateRequest{WorkingDir: "/home/\xff"})
	want := `validate: the working directory "/home/\xff" is not valid UTF-8`
	if shared.CodeOf(err) != shared.CodeInvalidArgument || err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got %v %v, want invalid argument %q", shared.CodeOf(err), err, want)
	}
	if got != nil {
		t.Error("the request reached the store")
	}
}

// validateSees makes f's Validate keep the request it got in *got.
func validateSees(f *fakeStore, got **shared.ValidateRequest) shared.Store {
	return validateRecorder{f, got}
}

type validateRecorder struct {
	*fakeStore
	got **shared.ValidateRequest
}

func (v validateRecorder) Validate(_ context.Context, r *shared.ValidateRequest) (*shared.ValidateResponse, error) {
	*v.got = r
	return &shared.ValidateResponse{}, nil
}
