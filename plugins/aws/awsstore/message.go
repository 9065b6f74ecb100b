package awsstore

import (
	"fmt"
	"strings"

	"github.com/ksm-cli/ksm/sdk"
)

// credSource names where the method via gets credentials.
func credSource(t target, via string) string {
	switch via {
	case methodEC2:
		return "the EC2 instance metadata service"
	case methodProfile:
		return profileName(t.profile)
	case methodKeys:
		return "the keeper.ini access keys"
	}
	return "the default AWS credential chain"
}

func profileName(p string) string {
	if p == "" {
		return "the default AWS profile"
	}
	return fmt.Sprintf("AWS profile %q", p)
}

// methodName names a credential method in messages.
func methodName(t target, via string) string {
	switch via {
	case methodEC2:
		return "the ec2instance method (EC2 instance role)"
	case methodProfile:
		return "the profile method (" + profileName(t.profile) + ")"
	case methodKeys:
		return "the keys method (access keys from keeper.ini)"
	}
	return "the default AWS credential chain"
}

// message is what a failed operation reports: the secret, the method
// tried and the fallback if tried, and the hint: what to do.
func message(op operation, t target, first, fallback *failure) (code sdk.Code, msg, hint string) {
	var b strings.Builder
	fmt.Fprintf(&b, "cannot %s AWS secret %q", op.verb, t.secret)
	if first.region != "" {
		fmt.Fprintf(&b, " in %s", first.region)
	}
	fmt.Fprintf(&b, " with %s: %s", methodName(t, t.method), first.reason)
	final := first
	if fallback != nil {
		b.WriteString("; the fallback to the default AWS credential chain failed too")
		if fallback.region != "" && fallback.region != first.region {
			fmt.Fprintf(&b, " (in %s)", fallback.region)
		}
		b.WriteString(": " + fallback.reason)
		// The fallback's outcome is the final one, unless it merely found
		// no credentials: then the chosen method's problem is the real one.
		if !fallback.noCreds {
			final = fallback
		}
	}
	return final.code, b.String(), final.hint
}
