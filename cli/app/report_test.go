package app

import (
	"errors"
	"io"
	"testing"

	"github.com/urfave/cli/v2"
)

// urfave/cli gives a missing required flag no type to match, so the exit
// code hangs on its wording: this pins it for one flag and for several.
func TestMissingRequiredFlagWording(t *testing.T) {
	for _, required := range [][]string{{"type"}, {"type", "name"}} {
		var flags []cli.Flag
		for _, n := range required {
			flags = append(flags, &cli.StringFlag{Name: n, Required: true})
		}
		a := &cli.App{Name: "t", Flags: flags, Writer: io.Discard, ErrWriter: io.Discard, Action: func(*cli.Context) error { return nil }}
		err := a.Run([]string{"t"})
		if err == nil || !missingRequiredFlag(err) {
			t.Errorf("%d required flags missing: error %v is not recognised; urfave/cli changed its wording", len(required), err)
		}
	}
	if missingRequiredFlag(errors.New("required flag seen elsewhere")) {
		t.Error("matched an unrelated message")
	}
}
