// Command vaultget is the bench's floor for a Go process that reads one KV
// v2 secret with Vault's api package the way the vault plugin does
// (VAULT_ADDR and VAULT_TOKEN from the environment, one read), without ksm.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/hashicorp/vault/api"
)

func main() {
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "vaultget:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	c, err := api.NewClient(api.DefaultConfig())
	if err != nil {
		return err
	}
	sec, err := c.KVv2("secret").Get(context.Background(), path)
	if err != nil {
		return err
	}
	fmt.Println(len(sec.Data), "fields")
	return nil
}
