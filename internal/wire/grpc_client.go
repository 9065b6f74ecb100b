package wire

import (
	"context"
	"unicode/utf8"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	storagev1 "github.com/ksm-cli/ksm/shared/proto/storage/v1"

	"github.com/ksm-cli/ksm/shared"
)

// grpcClient is the host's Store: every call goes to the plugin with the
// caller's ctx, so its deadline and cancellation reach the plugin.
type grpcClient struct {
	stub storagev1.StorageServiceClient
	conn grpc.ClientConnInterface // probed when an answer is ambiguous
}

func newGRPCClient(conn grpc.ClientConnInterface) *grpcClient {
	return &grpcClient{stub: storagev1.NewStorageServiceClient(conn), conn: conn}
}

func (c *grpcClient) Describe(ctx context.Context, _ *shared.DescribeRequest) (*shared.DescribeResponse, error) {
	resp, err := c.stub.Describe(ctx, &storagev1.DescribeRequest{})
	if err != nil {
		return nil, c.decode(ctx, "describe", err)
	}
	d, err := descriptionFromProto(resp)
	if err != nil {
		return nil, err
	}
	return &shared.DescribeResponse{Description: *d}, nil
}

func (c *grpcClient) Validate(ctx context.Context, r *shared.ValidateRequest) (*shared.ValidateResponse, error) {
	req := &storagev1.ValidateRequest{Options: r.Options, WorkingDir: r.WorkingDir}
	if err := checkRequest("validate", req, "option", r.Options, nil); err != nil {
		return nil, err
	}
	if !utf8.ValidString(r.WorkingDir) {
		return nil, shared.Errorf(shared.CodeInvalidArgument,
			"validate: the working directory %q is not valid UTF-8, which the plugin protocol cannot carry; run ksm from a directory whose path is UTF-8, or give the plugin absolute paths", r.WorkingDir)
	}
	resp, err := c.stub.Validate(ctx, req)
	if err != nil {
		return nil, c.decode(ctx, "validate", err)
	}
	return &shared.ValidateResponse{Settings: nonNil(resp.GetSettings())}, nil
}

func (c *grpcClient) Load(ctx context.Context, r *shared.LoadRequest) (*shared.LoadResponse, error) {
	req := &storagev1.LoadRequest{Settings: r.Settings}
	if err := checkRequest("load", req, "setting", r.Settings, nil); err != nil {
		return nil, err
	}
	resp, err := c.stub.Load(ctx, req)
	if err != nil {
		return nil, c.decode(ctx, "load", err)
	}
	return &shared.LoadResponse{Config: nonNil(resp.GetConfig())}, nil
}

func (c *grpcClient) Save(ctx context.Context, r *shared.SaveRequest) (*shared.SaveResponse, error) {
	req := &storagev1.SaveRequest{Settings: r.Settings, Config: r.Config, Overwrite: r.Overwrite}
	if err := checkRequest("save", req, "setting", r.Settings, r.Config); err != nil {
		return nil, err
	}
	if _, err := c.stub.Save(ctx, req); err != nil {
		return nil, c.decode(ctx, "save", err)
	}
	return &shared.SaveResponse{}, nil
}

// checkRequest rejects what gRPC would refuse with an obscure message:
// strings that are not UTF-8 and messages over the size limit. Values are
// never quoted: they may be secrets.
func checkRequest(method string, req proto.Message, what string, m, config map[string]string) error {
	if err := checkUTF8(method, what, m); err != nil {
		return err
	}
	if err := checkUTF8(method, "config key", config); err != nil {
		return err
	}
	if n := proto.Size(req); n > MaxMessageSize {
		return shared.Errorf(shared.CodeInvalidArgument, "%s: request of %d bytes exceeds the plugin protocol's %d MiB limit", method, n, MaxMessageSize>>20)
	}
	return nil
}

func checkUTF8(method, what string, m map[string]string) error {
	for k, v := range m {
		if !utf8.ValidString(k) {
			return shared.Errorf(shared.CodeInvalidArgument, "%s: a %s name is not valid UTF-8", method, what)
		}
		if !utf8.ValidString(v) {
			return shared.Errorf(shared.CodeInvalidArgument, "%s: the value of %s %q is not valid UTF-8", method, what, k)
		}
	}
	return nil
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
