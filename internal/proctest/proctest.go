// Package proctest holds what the tests that run a real server process
// (moto, ec2-metadata-mock, Vault, D-Bus and GNOME Keyring) share.
package proctest

import (
	"bytes"
	"fmt"
	"net"
	"strconv"
	"sync"
)

// FreePort asks the kernel for a free loopback port. The port is free when
// it returns; a server started on it soon after almost always gets it, and
// the callers retry on the rare clash.
func FreePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("no free port: %v", err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port), nil
}

// Buffer collects a process's output for failure reports; safe for the
// process's writers and the test reading it at once.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *Buffer) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Len()
}
