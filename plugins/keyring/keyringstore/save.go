package keyringstore

import (
	"context"
	"slices"

	"github.com/ksm-cli/ksm/internal/keeperlayout"
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
	if req.Settings[settingItem] == keeperlayout.IndexItem {
		if err := s.saveActive(ctx, req.Settings, req.Config); err != nil {
			return nil, err
		}
		return &sdk.SaveResponse{}, nil
	}
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
	if err := s.writeIndex(ctx, service, idx); err != nil {
		return nil, err
	}
	return &sdk.SaveResponse{}, nil
}

// saveActive makes a Keeper profile the active one in Keeper's list, as
// Keeper's `profile active` does, so that both CLIs agree on it. The
// profile's item must exist and verify: Keeper's CLI would otherwise be
// left pointing at nothing.
func (s *Store) saveActive(ctx context.Context, settings sdk.Settings, cfg sdk.Config) error {
	service, _, err := where(settings)
	if err != nil {
		return err
	}
	name, err := keeperlayout.ActiveFromConfig(cfg)
	if err != nil {
		return sdk.Errorf(sdk.CodeInvalidArgument, "%v", err)
	}
	unlock, err := s.lockSaves(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := s.readVerified(ctx, service, keeperlayout.ProfileItem(name)); err != nil {
		return err
	}
	idx, err := s.readIndex(ctx, service)
	if err != nil {
		return err
	}
	if idx == nil {
		idx = &Index{}
	}
	if idx.Active == name && slices.Contains(idx.Profiles, name) {
		return nil // as Keeper's CLI, no write when nothing changes
	}
	if !slices.Contains(idx.Profiles, name) {
		idx.Profiles = append(idx.Profiles, name)
	}
	idx.Active = name
	return s.writeIndex(ctx, service, idx)
}

// writeIndex writes Keeper's list, then its hash.
func (s *Store) writeIndex(ctx context.Context, service string, idx *Index) error {
	list, err := idx.encode()
	if err != nil {
		return sdk.Errorf(sdk.CodeFailedPrecondition, "cannot rewrite Keeper's profile list %s: %v", keeperlayout.IndexItem, err)
	}
	if err := s.set(ctx, service, keeperlayout.IndexItem, list); err != nil {
		return err
	}
	if err := s.set(ctx, service, keeperlayout.IndexItem+keeperlayout.IntegritySuffix, integrity(list)); err != nil {
		return err
	}
	return nil
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
