package cmdutil

import (
	"github.com/urfave/cli/v2"

	"github.com/ksm-cli/ksm/cli/internal/profiles"
)

// CheckGivenName refuses `-p ”`: a profile name given on purpose but
// empty is a mistake, not a request for the default name.
func CheckGivenName(c *cli.Context, name string) error {
	if c.IsSet("profile-name") && name == "" {
		return Usagef("%v", profiles.ValidateName(""))
	}
	return nil
}
