package wire

import (
	"context"
	"fmt"
	"runtime/debug"

	hclog "github.com/hashicorp/go-hclog"

	storagev1 "github.com/ksm-cli/ksm/shared/proto/storage/v1"

	"github.com/ksm-cli/ksm/shared"
)

// grpcServer serves a plugin's Store as a StorageService.
type grpcServer struct {
	storagev1.UnimplementedStorageServiceServer
	impl   shared.Store
	logger hclog.Logger
}

// recover answers a panic of the store with an error instead of letting
// it kill the plugin mid-call. The stack goes to the log, not the host.
func (s *grpcServer) recover(method string, err *error) {
	if r := recover(); r != nil {
		s.logger.Error("panic in store", "method", method, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		*err = toStatus(shared.Errorf(shared.CodeUnknown, "the plugin failed during %s (a bug in the plugin); its log has the details", method))
	}
}

func (s *grpcServer) Describe(ctx context.Context, _ *storagev1.DescribeRequest) (resp *storagev1.DescribeResponse, err error) {
	defer s.recover("describe", &err)
	r, err := s.impl.Describe(ctx, &shared.DescribeRequest{})
	if err != nil {
		return nil, toStatus(err)
	}
	if r == nil {
		return nil, toStatus(shared.Errorf(shared.CodeUnknown, "the store returned no description"))
	}
	resp, err = descriptionToProto(&r.Description)
	if err != nil {
		return nil, toStatus(err)
	}
	return resp, nil
}

func (s *grpcServer) Validate(ctx context.Context, req *storagev1.ValidateRequest) (resp *storagev1.ValidateResponse, err error) {
	defer s.recover("validate", &err)
	r, err := s.impl.Validate(ctx, &shared.ValidateRequest{Options: nonNil(req.GetOptions()), WorkingDir: req.GetWorkingDir()})
	if err != nil {
		return nil, toStatus(err)
	}
	if r == nil {
		return &storagev1.ValidateResponse{}, nil
	}
	return &storagev1.ValidateResponse{Settings: r.Settings}, nil
}

func (s *grpcServer) Load(ctx context.Context, req *storagev1.LoadRequest) (resp *storagev1.LoadResponse, err error) {
	defer s.recover("load", &err)
	r, err := s.impl.Load(ctx, &shared.LoadRequest{Settings: nonNil(req.GetSettings())})
	if err != nil {
		return nil, toStatus(err)
	}
	if r == nil {
		return &storagev1.LoadResponse{}, nil
	}
	return &storagev1.LoadResponse{Config: r.Config}, nil
}

func (s *grpcServer) Save(ctx context.Context, req *storagev1.SaveRequest) (resp *storagev1.SaveResponse, err error) {
	defer s.recover("save", &err)
	_, err = s.impl.Save(ctx, &shared.SaveRequest{
		Settings:  nonNil(req.GetSettings()),
		Config:    nonNil(req.GetConfig()),
		Overwrite: req.GetOverwrite(),
	})
	if err != nil {
		return nil, toStatus(err)
	}
	return &storagev1.SaveResponse{}, nil
}
