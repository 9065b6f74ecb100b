package app

import (
	"bytes"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/cmdutil"
	"github.com/ksm-cli/ksm/internal/atomicfile"
)

// fileOutput collects a command's standard output for `-o FILE`; the file
// is written once the command is done, as a new 0600 file
// (atomicfile.Replace: no symbolic link, no other user's file), so a
// reader never sees half of it.
type fileOutput struct {
	path string
	bytes.Buffer
}

// redirectOutput applies Keeper's -o/--output: stdout (the default),
// stderr, or a file name.
func redirectOutput(f *cmdutil.Factory, c *cli.Context) error {
	switch target := c.String("output"); target {
	case "", "stdout":
		return nil
	case "stderr":
		f.IO.Out = f.IO.ErrOut
	default:
		// Colour codes are for terminals, never for a file.
		f.IO.Out, f.IO.Color = &fileOutput{path: target}, false
	}
	c.App.Writer = f.IO.Out
	return nil
}

// writeOutput writes what a command printed to the file -o named. Like
// Keeper's CLI, which opens the file when it prints, it writes nothing for
// a command that printed nothing.
func writeOutput(f *cmdutil.Factory) error {
	out, ok := f.IO.Out.(*fileOutput)
	if !ok || out.Len() == 0 {
		return nil
	}
	if err := atomicfile.Replace(out.path, out.Bytes()); err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	return nil
}
