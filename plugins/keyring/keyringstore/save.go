package keyringstore

import (
	"context"
	"slices"

	"github.com/ksm-cli/ksm/internal/keeperlayout"
	"github.com/ksm-cli/ksm/shared"
)

// Save writes the item and its -integrity companion as Keeper's CLI does;
// a Keeper profile item is also added to Keeper's profile list (and made
// its active profile when it has none), so Keeper's CLI sees it.
//
// It refuses, unless Overwrite, to replace an item that is not a verified
// ksm config, or one that holds another client's config: two profiles
// set up on the default item must not silently lose one's keys.
func (s *Store) Save(ctx context.Context, req shared.SaveRequest) error {
	if req.Settings[settingItem] == keeperlayout.IndexItem {
		return s.saveActive(ctx, req.Settings, req.Config)
	}
	if err := checkSettings(req.Settings); err != nil {
		return err
	}
	service, item, err := where(req.Settings)
	if err != nil {
		return err
	}
	if err := req.Config.Validate(); err != nil {
		return shared.Errorf(shared.CodeInvalidArgument, "cannot save: %v", err)
	}
	unlock, err := s.lockSaves(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	keeperName, inKeeperList := keeperlayout.ProfileOf(service, item)
	var idx *Index
	if inKeeperList {
		// Read (and verify) the list first: a damaged list stops the save
		// before anything is written.
		if idx, err = s.readIndex(ctx, service); err != nil {
			return err
		}
	}
	if !req.Overwrite {
		if err := s.checkReplaceable(ctx, service, item, req.Config); err != nil {
			return err
		}
	}
	text := encodeConfig(req.Config)
	// Keeper's CLI writes the item, then its hash; so does ksm.
	if err := s.set(ctx, service, item, text); err != nil {
		return err
	}
	if err := s.set(ctx, service, item+keeperlayout.IntegritySuffix, integrity(text)); err != nil {
		return err
	}
	if !inKeeperList {
		return nil
	}
	if idx == nil {
		idx = &Index{}
	}
	if slices.Contains(idx.Profiles, keeperName) && idx.Active != "" {
		return nil
	}
	if !slices.Contains(idx.Profiles, keeperName) {
		idx.Profiles = append(idx.Profiles, keeperName)
	}
	if idx.Active == "" {
		idx.Active = keeperName
	}
	return s.writeIndex(ctx, service, idx)
}

// saveActive makes a Keeper profile the active one in Keeper's list, as
// Keeper's `profile active` does, so that both CLIs agree on it. The
// profile's item must exist and verify: Keeper's CLI would otherwise be
// left pointing at nothing.
func (s *Store) saveActive(ctx context.Context, settings shared.Settings, cfg shared.Config) error {
	service, _, err := where(settings)
	if err != nil {
		return err
	}
	name, err := keeperlayout.ActiveFromConfig(cfg)
	if err != nil {
		return shared.Errorf(shared.CodeInvalidArgument, "%v", err)
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
		return shared.Errorf(shared.CodeFailedPrecondition, "cannot rewrite Keeper's profile list %s: %v", keeperlayout.IndexItem, err)
	}
	if err := s.set(ctx, service, keeperlayout.IndexItem, list); err != nil {
		return err
	}
	return s.set(ctx, service, keeperlayout.IndexItem+keeperlayout.IntegritySuffix, integrity(list))
}

// checkReplaceable allows a missing item, or a verified config of the same
// client (a re-save).
func (s *Store) checkReplaceable(ctx context.Context, service, item string, cfg shared.Config) error {
	text, err := s.get(ctx, service, item)
	switch {
	case shared.CodeOf(err) == shared.CodeNotFound:
		return nil
	case err != nil:
		return err
	}
	sum, err := s.get(ctx, service, item+keeperlayout.IntegritySuffix)
	if err != nil && shared.CodeOf(err) != shared.CodeNotFound {
		return err
	}
	old, decodeErr := decodeConfig(text)
	switch {
	case err != nil || checkIntegrity(text, sum) != nil || decodeErr != nil:
		return shared.Errorf(shared.CodeAlreadyExists,
			"keyring item %s (service %s) exists and does not hold a verified ksm config; refusing to replace it without --force", item, service)
	case old[shared.KeyClientID] != cfg[shared.KeyClientID]:
		return shared.Errorf(shared.CodeAlreadyExists,
			"keyring item %s (service %s) holds another client's config (another profile's keys); choose another --item, or --force to replace it", item, service)
	}
	return nil
}
