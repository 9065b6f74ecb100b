package profile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/cli/internal/envtoken"
	"github.com/ksm-cli/ksm/cli/internal/region"
	"github.com/ksm-cli/ksm/cli/internal/stores"
	"github.com/ksm-cli/ksm/internal/safetext"
	"github.com/ksm-cli/ksm/shared"
)

type showOptions struct {
	f    *cmdutil.Factory
	Name string
	JSON bool
}

func newShowCommand(f *cmdutil.Factory) *cli.Command {
	opts := &showOptions{f: f}
	return &cli.Command{
		Name:      "show",
		Usage:     "Show a non-secret summary of a profile",
		ArgsUsage: "[NAME]",
		Description: `Shows the profile (default: the active one): where its config lives, the
Keeper host, the server key id and a fingerprint of the client id. An
external profile's config is loaded through its storage plugin, which also
proves that the store is reachable. Private and app keys are never shown.

Examples:
   ksm profile show
   ksm profile show prod --json`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print JSON", Destination: &opts.JSON},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return cmdutil.Usagef("profile show takes at most one profile NAME")
			}
			opts.Name = c.Args().First()
			return runShow(c, opts)
		},
	}
}

// summary is what `profile show` prints; it holds nothing secret.
type summary struct {
	Name              string `json:"name"`
	Active            bool   `json:"active"`
	Storage           string `json:"storage"`
	Hostname          string `json:"hostname"`
	Host              string `json:"host"`
	ServerPublicKeyID string `json:"serverPublicKeyId"`
	ClientID          string `json:"clientIdFingerprint"`
}

func runShow(c *cli.Context, opts *showOptions) error {
	if err := envtoken.Redeem(c.Context, opts.f); err != nil {
		return err
	}
	src, p, err := opts.f.Ini().ReadProfile(opts.Name)
	if err != nil {
		return err
	}
	name := p.Name
	cfg, err := stores.Config(c.Context, opts.f.PluginHost, p)
	if err != nil {
		return err
	}
	s := summary{
		Name:              name,
		Active:            name == src.Book.Active(),
		Storage:           "keeper.ini",
		Hostname:          cfg[shared.KeyHostname],
		Host:              region.Host(cfg[shared.KeyHostname]),
		ServerPublicKeyID: cfg[shared.KeyServerPublicKeyID],
		ClientID:          Fingerprint(cfg[shared.KeyClientID]),
	}
	switch {
	case p.External():
		s.Storage = p.Storage
	case src.Env != "":
		s.Storage = src.Env + " (environment)"
	}
	if s.ServerPublicKeyID == "" {
		s.ServerPublicKeyID = shared.DefaultServerPublicKeyID
	}
	if opts.JSON {
		b, _ := json.MarshalIndent(s, "", "  ")
		_, err := fmt.Fprintln(opts.f.IO.Out, string(b))
		return err
	}
	active := ""
	if s.Active {
		active = " (active)"
	}
	w := tabwriter.NewWriter(opts.f.IO.Out, 0, 0, 2, ' ', 0)
	// Every field comes from keeper.ini or a store: escaped, so that none
	// can forge a line or reach the terminal as an escape sequence.
	esc := safetext.Escape
	fmt.Fprintf(w, "Profile:\t%s%s\n", esc(s.Name), active)
	fmt.Fprintf(w, "Storage:\t%s\n", esc(s.Storage))
	fmt.Fprintf(w, "Hostname:\t%s\n", esc(s.Hostname))
	if s.Host != s.Hostname {
		fmt.Fprintf(w, "Host:\t%s\n", esc(s.Host))
	}
	fmt.Fprintf(w, "Server key id:\t%s\n", esc(s.ServerPublicKeyID))
	fmt.Fprintf(w, "Client id:\t%s\n", esc(s.ClientID))
	return w.Flush()
}

// Fingerprint identifies a client id without revealing it: the first 12
// hex digits of its SHA-256.
func Fingerprint(clientID string) string {
	sum := sha256.Sum256([]byte(clientID))
	return "sha256:" + hex.EncodeToString(sum[:6])
}
