package plugincmd

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/internal/safetext"
)

type listOptions struct {
	f    *cmdutil.Factory
	JSON bool
}

func newListCommand(f *cmdutil.Factory) *cli.Command {
	opts := &listOptions{f: f}
	return &cli.Command{
		Name:  "list",
		Usage: "List the storage plugins ksm finds, with their trust status",
		Description: `Trusted plugins are described (their version is shown); an untrusted plugin
is never run. Every plugin ksm refuses is explained below the table, with
the command that fixes it (trust it, or chmod/chown a file or directory
another user could change). A plugin shadowed by an earlier one of the same
type is listed but not used.

Examples:
   ksm plugin list
   ksm plugin list --json`,
		Flags: []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print JSON", Destination: &opts.JSON}},
		Action: func(c *cli.Context) error {
			return runList(c, opts)
		},
	}
}

type entry struct {
	Type       string `json:"type"`
	Version    string `json:"version"`
	Path       string `json:"path"`
	Trusted    bool   `json:"trusted"`
	Trust      string `json:"trust"`
	Shadowed   bool   `json:"shadowed"`
	ShadowedBy string `json:"shadowedBy,omitempty"`
	CanSave    bool   `json:"canSave"`
	Summary    string `json:"summary,omitempty"`
	// Why says in full why a plugin is not used, and what to do.
	Why string `json:"why,omitempty"`
}

func runList(c *cli.Context, opts *listOptions) error {
	h := opts.f.PluginHost()
	var entries []entry
	for _, p := range h.Discover() {
		e := entry{Type: p.Type, Path: p.Path, Shadowed: p.ShadowedBy != "", ShadowedBy: p.ShadowedBy, Version: "-"}
		var err error
		_, e.Trust, err = h.Status(p)
		e.Trusted = err == nil
		if err != nil {
			e.Why = err.Error()
		}
		if e.Trusted && !e.Shadowed {
			if d, err := h.Description(c.Context, p); err == nil {
				e.Version, e.CanSave, e.Summary = safetext.Line(d.Version, 40), d.CanSave, safetext.Line(d.Summary, 200)
			} else {
				e.Trust, e.Why = "broken", err.Error()
			}
		}
		entries = append(entries, e)
	}
	if opts.JSON {
		if entries == nil {
			entries = []entry{}
		}
		b, _ := json.MarshalIndent(entries, "", "  ")
		_, err := fmt.Fprintln(opts.f.IO.Out, string(b))
		return err
	}
	if len(entries) == 0 {
		fmt.Fprintf(opts.f.IO.ErrOut, "No storage plugins found in %v.\n", h.Dirs)
		return nil
	}
	w := tabwriter.NewWriter(opts.f.IO.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "TYPE\tVERSION\tTRUST\tPATH")
	var why []string
	for _, e := range entries {
		trust := e.Trust
		if e.Shadowed {
			trust = "shadowed by " + e.ShadowedBy
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", e.Type, e.Version, trust, safetext.Escape(e.Path))
		if e.Why != "" && !e.Shadowed {
			why = append(why, safetext.Escape(e.Why))
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	// Every refusal explained, with the command that fixes it.
	for _, line := range why {
		fmt.Fprintln(opts.f.IO.Out, line)
	}
	return nil
}
