package wire

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	storagev1 "github.com/ksm-cli/ksm/shared/proto/storage/v1"

	"github.com/ksm-cli/ksm/internal/storecall"
	"github.com/ksm-cli/ksm/shared"
)

// plainServer answers every Load with a plain status, as a store written
// without the sdk (Node, Python) does: no StoreError detail.
type plainServer struct {
	storagev1.UnimplementedStorageServiceServer
	code codes.Code
	msg  string
}

func (p plainServer) Load(context.Context, *storagev1.LoadRequest) (*storagev1.LoadResponse, error) {
	return nil, status.Error(p.code, p.msg)
}

func servePlain(t *testing.T, srv storagev1.StorageServiceServer) (shared.Store, func()) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "s")
	lis, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	storagev1.RegisterStorageServiceServer(s, srv)
	go func() { _ = s.Serve(lis) }()
	conn, err := grpc.NewClient("unix://"+sock, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(); s.Stop() })
	return newGRPCClient(conn), s.Stop
}

// An UNAVAILABLE the plugin itself answered without the detail (its store
// is down) is not "it exited or crashed": the plugin still runs.
func TestUnmarkedUnavailableFromARunningPlugin(t *testing.T) {
	client, _ := servePlain(t, plainServer{code: codes.Unavailable, msg: "cannot reach https://store.invalid\x1b[31m"})
	_, err := storecall.Load(context.Background(), client, nil)
	want := "the plugin is running, but its answer lacks the StoreError detail ksm needs; its message: cannot reach https://store.invalid\x1b[31m"
	if shared.CodeOf(err) != shared.CodeUnavailable || err.Error() != want {
		t.Errorf("got %v %q, want %q", shared.CodeOf(err), err, want)
	}
	if strings.Contains(err.Error(), "exited or crashed") {
		t.Errorf("a running plugin is said to have crashed: %v", err)
	}
}

// The status trace sees the raw status, detail or not.
func TestStatusTrace(t *testing.T) {
	tests := []struct {
		name   string
		store  func(t *testing.T) shared.Store
		detail bool
	}{
		{"plain status", func(t *testing.T) shared.Store {
			c, _ := servePlain(t, plainServer{code: codes.NotFound, msg: "no config"})
			return c
		}, false},
		{"sdk error", func(t *testing.T) shared.Store {
			c, _ := serveInProcess(t, loadFails(shared.Errorf(shared.CodeNotFound, "no config")))
			return c
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen []string
			var detail bool
			ctx := WithStatusTrace(context.Background(), func(method string, st *status.Status) {
				seen = append(seen, method+" "+st.Code().String()+" "+st.Message())
				detail = HasStoreErrorDetail(st)
			})
			if _, err := storecall.Load(ctx, tt.store(t), nil); err == nil {
				t.Fatal("load succeeded")
			}
			if len(seen) != 1 || seen[0] != "load NotFound no config" || detail != tt.detail {
				t.Errorf("traced %q detail %v, want [load NotFound no config] detail %v", seen, detail, tt.detail)
			}
		})
	}
}
