package cmdutil

import (
	"fmt"
	"io"
)

// ReadStdin reads all of r, at most limit bytes: more is an error saying
// so, never a silently cut input that then fails for another reason.
func ReadStdin(r io.Reader, limit int64, what string) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return "", fmt.Errorf("cannot read %s from standard input: %w", what, err)
	}
	if int64(len(b)) > limit {
		return "", fmt.Errorf("%s on standard input is too large (more than %s); check what is piped in", what, size(limit))
	}
	return string(b), nil
}

func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
