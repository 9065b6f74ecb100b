// Package nodeexample tests the Node.js example plugin as ksm runs it: the
// conformance checks on the executable file, and its copy of the protocol
// definition against shared/proto.
package nodeexample

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	storagev1 "github.com/ksm-cli/ksm/shared/proto/storage/v1"

	"github.com/ksm-cli/ksm/sdk/storagetest"
	"github.com/ksm-cli/ksm/shared"
)

const plugin = "ksm-storage-nodeexample"

// needNode fails, naming what to install, when the interpreter the
// plugin's #! line names or its node_modules are missing.
func needNode(t *testing.T) {
	t.Helper()
	if out, err := exec.Command("/usr/bin/node", "--version").CombinedOutput(); err != nil {
		t.Fatalf("the Node.js example needs /usr/bin/node (make test-tools installs nodejs and npm): %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join("node_modules", "@grpc", "grpc-js", "package.json")); err != nil {
		t.Fatalf("the Node.js example needs its node_modules: run `npm ci --ignore-scripts` in sdk/examples/node (make test-tools does): %v", err)
	}
}

func TestConformance(t *testing.T) {
	needNode(t)
	bin, err := filepath.Abs(plugin)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	storagetest.Run(t, storagetest.Config{
		Binary: bin,
		Env:    []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir},
		Dir:    dir,
		// Relative to the working directory, which is ksm's.
		ValidOptions:    map[string]string{"path": "ksm.json"},
		InvalidOptions:  []map[string]string{{"path": ""}, {"path": dir}, {"path": "x.json", "color": "red"}},
		MissingSettings: shared.Settings{"path": filepath.Join(dir, "missing.json")},
	})
}

// The plugin loads storage.proto from beside itself: it must be the one in
// shared/proto (`make proto` copies it).
func TestProtoCopyIsCurrent(t *testing.T) {
	want, err := os.ReadFile("../../../shared/proto/storage/v1/storage.proto")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("storage.proto")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("sdk/examples/node/storage.proto is not shared/proto/storage/v1/storage.proto: run `make proto` and commit")
	}
}

// Every error the store returns carries the StoreError detail (without it
// ksm reads the store's own answer as a crashed plugin), its message is one
// line however hostile the path it quotes, and Shutdown ends the process.
func TestErrorsCarryStoreErrorAndShutdownExits(t *testing.T) {
	needNode(t)
	dir := t.TempDir()
	cmd := exec.Command("./" + plugin)
	cmd.Env = []string{"KSM_STORAGE_PLUGIN=b7f3c1e2-5d4a-4e8f-9c61-storage-v1", "PLUGIN_UNIX_SOCKET_DIR=" + dir, "PATH=" + os.Getenv("PATH")}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() { _ = cmd.Process.Kill() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("no handshake line: %v", err)
	}
	fields := strings.Split(strings.TrimSuffix(line, "\n"), "|")
	if len(fields) != 6 || fields[2] != "unix" {
		t.Fatalf("handshake line %q", line)
	}
	conn, err := grpc.NewClient("unix://"+fields[3], grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := storagev1.NewStorageServiceClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	hostile := filepath.Join(dir, "no\x1b]0;pwned\x07\nsuch", "ksm.json")
	tests := []struct {
		name string
		call func() error
		code codes.Code
	}{
		{"load missing", func() error {
			_, err := client.Load(ctx, &storagev1.LoadRequest{Settings: map[string]string{"path": hostile}})
			return err
		}, codes.NotFound},
		{"save into a missing directory", func() error {
			_, err := client.Save(ctx, &storagev1.SaveRequest{Settings: map[string]string{"path": hostile}, Config: map[string]string{"clientId": "x"}})
			return err
		}, codes.NotFound},
		{"validate unknown option", func() error {
			_, err := client.Validate(ctx, &storagev1.ValidateRequest{Options: map[string]string{"path": "a", "colour": "red"}})
			return err
		}, codes.InvalidArgument},
		{"load without settings", func() error {
			_, err := client.Load(ctx, &storagev1.LoadRequest{})
			return err
		}, codes.InvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := status.Convert(tt.call())
			if st.Code() != tt.code {
				t.Fatalf("code %v (%q), want %v", st.Code(), st.Message(), tt.code)
			}
			if strings.ContainsAny(st.Message(), "\n\x1b\x07") {
				t.Errorf("message is not one line of plain text: %q", st.Message())
			}
			var marked bool
			for _, d := range st.Details() {
				_, marked = d.(*storagev1.StoreError)
			}
			if !marked {
				t.Errorf("no StoreError detail in %v", st.Details())
			}
		})
	}

	if err := conn.Invoke(ctx, "/plugin.GRPCController/Shutdown", &emptypb.Empty{}, &emptypb.Empty{}); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	// Waiting on the process, bounded: Shutdown must end it.
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit after Shutdown: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("still running 10 s after Shutdown")
	}
}

// docs/plugin-protocol.md gives a Node author the few facts the doc's
// language-neutral rules leave out; each is one the example relies on, so
// a change to the example that drops one shows here.
func TestProtocolDocHasTheNodeLines(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/plugin-protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(plugin)
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(string(doc)), " ")
	for _, fact := range []string{
		"#!/usr/bin/node",
		"keepCase: true",
		"enums: Number",
		"grpc-status-details-bin",
		"type.googleapis.com/ksm.storage.v1.StoreError",
		"/plugin.GRPCController/Shutdown",
		"tryShutdown",
		"bindAsync",
		"ServerCredentials.createInsecure()",
		"grpc.max_send_message_length",
		"getDeadline()",
		"process.stderr.write(JSON.stringify(",
	} {
		if !strings.Contains(flat, fact) {
			t.Errorf("docs/plugin-protocol.md does not give the Node fact %q", fact)
		}
		if !bytes.Contains(src, []byte(fact)) {
			t.Errorf("%s does not use %q, which the doc tells Node authors", plugin, fact)
		}
	}
}
