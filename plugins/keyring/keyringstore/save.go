package keyringstore

import (
	"context"
	"slices"

	"github.com/ksm-cli/ksm/plugins/keyring/keeperlayout"
	"github.com/ksm-cli/ksm/sdk"
)

// Save writes the item and its -integrity companion as Keeper's CLI does;
// a Keeper profile item is also added to Keeper's profile list (and made
// its active profile when it has none), so Keeper's CLI sees it.
//
// It refuses, unless Overwrite, to replace an item that is not a verified
// ksm config, or one that holds another client's config: two profiles
// set up on the default item must not silently lose one's keys.
func (s *Store) Save(ctx context.Context, req *sdk.SaveRequest) (*sdk.SaveResponse, error) {
	if err := checkSettings(req.Settings); err != nil {
		return nil, err
	}
	service, item, err := where(req.Settings)
	if err != nil {
		return nil, err
	}
	if err := req.Config.Validate(); err != nil {
		return nil, sdk.Errorf(sdk.CodeInvalidArgument, "cannot save: %v", err)
	}
	unlock, err := s.lockSaves(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	keeperName, inKeeperList := keeperlayout.ProfileOf(service, item)
	var idx *Index
	if inKeeperList {
		// Read (and verify) the list first: a damaged list stops the save
		// before anything is written.
		if idx, err = s.readIndex(ctx, service); err != nil {
			return nil, err
		}
	}
	if !req.Overwrite {
		if err := s.checkReplaceable(ctx, service, item, req.Config); err != nil {
			return nil, err
		}
	}
	text := encodeConfig(req.Config)
	// Keeper's CLI writes the item, then its hash; so does ksm.
	if err := s.set(ctx, service, item, text); err != nil {
		return nil, err
	}
	if err := s.set(ctx, service, item+keeperlayout.IntegritySuffix, integrity(text)); err != nil {
		return nil, err
	}
	if !inKeeperList {
		return &sdk.SaveResponse{}, nil
	}
	if idx == nil {
		idx = &Index{}
	}
	if slices.Contains(idx.Profiles, keeperName) && idx.Active != "" {
		return &sdk.SaveResponse{}, nil
	}
	if !slices.Contains(idx.Profiles, keeperName) {
		idx.Profiles = append(idx.Profiles, keeperName)
	}
	if idx.Active == "" {
		idx.Active = keeperName
	}
	list, err := idx.encode()
	if err != nil {
		return nil, sdk.Errorf(sdk.CodeFailedPrecondition, "cannot rewrite Keeper's profile list %s: %v", keeperlayout.IndexItem, err)
	}
	if err := s.set(ctx, service, keeperlayout.IndexItem, list); err != nil {
		return nil, err
	}
	if err := s.set(ctx, service, keeperlayout.IndexItem+keeperlayout.IntegritySuffix, integrity(list)); err != nil {
		return nil, err
	}
	return &sdk.SaveResponse{}, nil
}

// checkReplaceable allows a missing item, or a verified config of the same
// client (a re-save).
func (s *Store) checkReplaceable(ctx context.Context, service, item string, cfg sdk.Config) error {
	text, err := s.get(ctx, service, item)
	switch {
	case sdk.CodeOf(err) == sdk.CodeNotFound:
		return nil
	case err != nil:
		return err
	}
	sum, err := s.get(ctx, service, item+keeperlayout.IntegritySuffix)
	if err != nil && sdk.CodeOf(err) != sdk.CodeNotFound {
		return err
	}
	old, decodeErr := decodeConfig(text)
	switch {
	case err != nil || checkIntegrity(text, sum) != nil || decodeErr != nil:
		return sdk.Errorf(sdk.CodeAlreadyExists,
			"keyring item %s (service %s) exists and does not hold a verified ksm config; refusing to replace it without --force", item, service)
	case old[sdk.KeyClientID] != cfg[sdk.KeyClientID]:
		return sdk.Errorf(sdk.CodeAlreadyExists,
			"keyring item %s (service %s) holds another client's config (another profile's keys); choose another --item, or --force to replace it", item, service)
	}
	return nil
}
