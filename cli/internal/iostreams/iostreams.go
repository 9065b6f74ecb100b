// Package iostreams carries a command's standard streams and whether it
// may use colour, so output is testable and colour reaches terminals only.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// Streams are a command's standard streams.
type Streams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// Color is true when stdout is a terminal and NO_COLOR is unset.
	Color bool
	// InTTY is true when stdin is a terminal (prompts are allowed).
	InTTY bool
}

// System returns the process's streams.
func System() *Streams {
	isTTY := func(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
	_, noColor := os.LookupEnv("NO_COLOR")
	return &Streams{
		In:     os.Stdin,
		Out:    os.Stdout,
		ErrOut: os.Stderr,
		Color:  isTTY(os.Stdout) && !noColor && os.Getenv("TERM") != "dumb",
		InTTY:  isTTY(os.Stdin),
	}
}

// Test returns streams backed by buffers, for unit tests.
func Test(stdin string) (*Streams, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return &Streams{In: bytes.NewBufferString(stdin), Out: &out, ErrOut: &errOut}, &out, &errOut
}
