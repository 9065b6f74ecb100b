//go:build devtools

package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/ksm-cli/ksm/plugins/vault/vaulttest"
)

// benchVaultPath is the bench's secret in the dev server's KV v2 mount.
const benchVaultPath = "ksm-bench"

// vaultEnv is what the vault profile's commands get: the token (the
// address is in keeper.ini).
func (fx *fixtures) vaultEnv() []string {
	return []string{"VAULT_TOKEN=" + vaulttest.RootToken}
}

// vaultClient is a Vault client with a transport of its own, so that each
// read made with a new client opens a new connection, as the plugin's one
// read does.
func (fx *fixtures) vaultClient() (*api.Client, error) {
	cfg := api.DefaultConfig()
	cfg.Address = fx.vault.Addr
	cfg.MaxRetries = 0
	cfg.HttpClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	c, err := api.NewClient(cfg)
	if err != nil {
		return nil, err
	}
	c.SetToken(vaulttest.RootToken)
	return c, nil
}

// vaultGet is Vault's own KV v2 read round trip from a Go client on a new
// loopback connection: the floor of the vault store's `profile show`.
func (fx *fixtures) vaultGet() error {
	c, err := fx.vaultClient()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sec, err := c.KVv2("secret").Get(ctx, benchVaultPath)
	if err == nil && len(sec.Data) == 0 {
		err = errors.New("empty secret")
	}
	return err
}

// setupVault stores the sample config in Vault and sets up the profile
// viavault on it with ksm.
func (fx *fixtures) setupVault(env []string) (err error) {
	c, err := fx.vaultClient()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	data := map[string]any{}
	for k, v := range fx.config {
		data[k] = v
	}
	if _, err := c.KVv2("secret").Put(ctx, benchVaultPath, data); err != nil {
		return fmt.Errorf("put the bench secret in Vault: %w", err)
	}
	if err := fx.ksm(append(env, fx.vaultEnv()...), "profile", "setup", "--type=vault", "-p", "viavault",
		"--address", fx.vault.Addr, "--path", benchVaultPath); err != nil {
		return err
	}
	fx.vaultSettings, err = iniSection(fx.path("show", "keeper.ini"), "viavault")
	return err
}
