//go:build devtools

// Command keeper-testserver runs a keepertest server for end-to-end tests
// of the ksm binary. It prints one JSON line on stdout:
//
//	{"host":"127.0.0.1:PORT","ca_file":"...","server_public_key":"...",
//	 "server_public_key_id":10,"token":"...","records":[...]}
//
// with one fresh token, two records shared directly and one in a shared
// folder, then serves until stdin closes or it gets SIGTERM/SIGINT. Start
// it with a stdin pipe (an empty stdin ends it at once), or pass -no-stdin.
// More tokens and faults: see the /keepertest/ control endpoints.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/ksm-cli/ksm/cli/internal/keeper/keepertest"
)

type record struct {
	UID    string `json:"uid"`
	Type   string `json:"type"`
	Title  string `json:"title"`
	Folder string `json:"folder_uid,omitempty"`
}

type banner struct {
	Host              string   `json:"host"`
	CAFile            string   `json:"ca_file"`
	ServerPublicKey   string   `json:"server_public_key"`
	ServerPublicKeyID int      `json:"server_public_key_id"`
	Token             string   `json:"token"`
	ControlURL        string   `json:"control_url"`
	Records           []record `json:"records"`
}

func main() {
	dir := flag.String("dir", "", "directory for ca.pem (default: a temporary one, removed on exit)")
	noStdin := flag.Bool("no-stdin", false, "ignore stdin; serve until SIGTERM or SIGINT")
	flag.Parse()
	if err := run(*dir, *noStdin); err != nil {
		fmt.Fprintln(os.Stderr, "keeper-testserver:", err)
		os.Exit(1)
	}
}

func run(dir string, noStdin bool) error {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "keeper-testserver-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	s, err := keepertest.Start(dir)
	if err != nil {
		return err
	}
	defer s.Close()

	b := banner{
		Host:              s.Host(),
		CAFile:            s.CAFile(),
		ServerPublicKey:   s.PublicKey(),
		ServerPublicKeyID: s.KeyID(),
		Token:             s.NewToken(),
		ControlURL:        "https://" + s.Host() + "/keepertest/",
	}
	add := func(uid, typ, title, folder string) {
		b.Records = append(b.Records, record{UID: uid, Type: typ, Title: title, Folder: folder})
	}
	add(s.AddRecord("Sample Login", "login",
		keepertest.Field{Type: "login", Value: []any{"alice@example.com"}},
		keepertest.Field{Type: "password", Value: []any{"sample-password-1"}},
		keepertest.Field{Type: "url", Value: []any{"https://example.com"}},
	), "login", "Sample Login", "")
	add(s.AddRecord("Sample Note", "encryptedNotes",
		keepertest.Field{Type: "note", Value: []any{"a sample secure note"}},
	), "encryptedNotes", "Sample Note", "")
	folder := s.AddFolder()
	add(s.AddFolderRecord(folder, "Folder Database", "databaseCredentials",
		keepertest.Field{Type: "host", Value: []any{map[string]any{"hostName": "db.example.com", "port": "5432"}}},
		keepertest.Field{Type: "login", Value: []any{"dbuser"}},
		keepertest.Field{Type: "password", Value: []any{"sample-password-2"}},
	), "databaseCredentials", "Folder Database", folder)

	// Listen for signals before the banner: a caller may signal right after it.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	line, err := json.Marshal(b)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(os.Stdout, "%s\n", line); err != nil {
		return err
	}
	if !noStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}
	<-ctx.Done()
	return nil
}
