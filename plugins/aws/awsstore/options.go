package awsstore

import (
	"os"
	"strings"
	"unicode"

	"github.com/ksm-cli/ksm/sdk"
)

// Setup option names, as the reference documents them (with its short
// names -s, -c, -n and -f, declared in options).
const (
	optSecret             = "secret"
	optCredentials        = "credentials"
	optCredentialsProfile = "credentials-profile"
	optAccessKeyID        = "aws-access-key-id"
	optSecretAccessKey    = "aws-secret-access-key"
	optRegion             = "region"
	optFallback           = "fallback"
)

// envSecretAccessKey may supply --aws-secret-access-key.
const envSecretAccessKey = "AWS_SECRET_ACCESS_KEY"

func options() []sdk.Option {
	return []sdk.Option{
		{Name: optSecret, Short: "s", Type: sdk.OptionString, Default: defaultSecret,
			Usage: "name or ARN of the AWS Secrets Manager secret that holds the config"},
		{Name: optCredentials, Short: "c", Type: sdk.OptionEnum, Default: methodEC2,
			Allowed: []string{methodEC2, methodProfile, methodKeys},
			Usage:   "how to get AWS credentials: the EC2 instance role, an AWS profile, or access keys"},
		{Name: optCredentialsProfile, Short: "n", Type: sdk.OptionString,
			Usage: "AWS shared-config profile for --credentials profile (default: the default profile)"},
		{Name: optAccessKeyID, Type: sdk.OptionString,
			Usage: "AWS access key ID for --credentials keys"},
		{Name: optSecretAccessKey, Type: sdk.OptionString, Sensitive: true,
			EnvVars: []string{envSecretAccessKey},
			Usage:   "AWS secret access key for --credentials keys"},
		{Name: optRegion, Type: sdk.OptionString,
			Usage: "AWS region of the secret (default: from the ARN, AWS_REGION, the AWS profile or the instance)"},
		{Name: optFallback, Short: "f", Type: sdk.OptionBool, Default: "false",
			Usage: "if these credentials fail or are refused, try the default AWS credential chain"},
	}
}

// The two name checks below are written out rather than regexps: compiling
// `{1,512}` alone cost every launch of the plugin 360 KB and about 6 ms.

// validSecretName is what Secrets Manager accepts in a secret name:
// ^[A-Za-z0-9/_+=.@-]{1,512}$.
func validSecretName(s string) bool {
	if len(s) == 0 || len(s) > 512 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && !strings.ContainsRune("/_+=.@-", rune(c)) {
			return false
		}
	}
	return true
}

// validRegion is an AWS region name: ^[a-z]{2}(-[a-z]+)+-[0-9]+$.
func validRegion(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) < 3 || len(parts[0]) != 2 {
		return false
	}
	for i, p := range parts {
		if p == "" {
			return false
		}
		last := i == len(parts)-1 // digits; the others lower-case letters
		for j := 0; j < len(p); j++ {
			c := p[j]
			if last && !('0' <= c && c <= '9') || !last && !('a' <= c && c <= 'z') {
				return false
			}
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// validate applies the reference's rules for which options go with which
// credential method (its `profile setup` checks), with two deliberate
// differences: --region is accepted by every method (ec2instance and
// profile may need it for a secret in another region) and keys may take
// its region from a secret ARN instead of --region.
func validate(opts map[string]string) (target, error) {
	// Unknown options, the --credentials enum, the --fallback bool;
	// defaults applied.
	values, err := sdk.Parse(options(), opts)
	if err != nil {
		return target{}, err
	}
	v := map[string]string{}
	for k, val := range values {
		val = strings.TrimSpace(val)
		if strings.IndexFunc(val, unicode.IsControl) >= 0 {
			return target{}, invalid("--%s must not contain control characters", k)
		}
		v[k] = val
	}

	t := target{
		method:    v[optCredentials],
		secret:    v[optSecret],
		profile:   v[optCredentialsProfile],
		keyID:     v[optAccessKeyID],
		secretKey: v[optSecretAccessKey],
		region:    v[optRegion],
	}
	if t.secret == "" { // given as blanks
		t.secret = defaultSecret
	}
	t.fallback = values.Bool(optFallback)

	if err := checkSecret(t.secret); err != nil {
		return target{}, err
	}
	if t.region != "" && !validRegion(t.region) {
		return target{}, invalid("--region %q is not an AWS region name such as us-east-1", t.region)
	}
	if r := t.arnRegion(); r != "" && t.region != "" && r != t.region {
		return target{}, invalid("--region %s differs from the region %s in the secret ARN; drop --region or fix the ARN", t.region, r)
	}
	if strings.ContainsAny(t.profile, "[]") {
		return target{}, invalid("--credentials-profile %q is not a valid AWS profile name", t.profile)
	}

	// A secret key that only came from the environment was not asked for:
	// the host fills --aws-secret-access-key from AWS_SECRET_ACCESS_KEY.
	if t.method != methodKeys && t.secretKey != "" && t.secretKey == os.Getenv(envSecretAccessKey) {
		t.secretKey = ""
	}

	keyOpts := func() bool { return t.keyID != "" || t.secretKey != "" }
	switch t.method {
	case methodEC2:
		if t.profile != "" {
			return target{}, invalid("--credentials-profile goes with --credentials profile, not ec2instance")
		}
		if keyOpts() {
			return target{}, invalid("--aws-access-key-id and --aws-secret-access-key go with --credentials keys, not ec2instance (which uses the instance role)")
		}
	case methodProfile:
		if keyOpts() {
			return target{}, invalid("--aws-access-key-id and --aws-secret-access-key go with --credentials keys, not profile (the profile holds the credentials)")
		}
	case methodKeys:
		if t.profile != "" {
			return target{}, invalid("--credentials-profile goes with --credentials profile, not keys")
		}
		switch {
		case t.keyID == "" && t.secretKey == "":
			return target{}, invalid("--credentials keys needs --aws-access-key-id and --aws-secret-access-key")
		case t.keyID == "":
			return target{}, invalid("--credentials keys needs --aws-access-key-id too")
		case t.secretKey == "":
			return target{}, invalid("--credentials keys needs --aws-secret-access-key too (or AWS_SECRET_ACCESS_KEY, or stdin)")
		}
		if t.region == "" && t.arnRegion() == "" {
			return target{}, invalid("--credentials keys needs --region (or a secret ARN, which names its region)")
		}
	default:
		return target{}, invalid("--credentials must be ec2instance, profile or keys, not %q", t.method)
	}
	return t, nil
}

// checkSecret accepts a Secrets Manager secret name or secret ARN.
func checkSecret(s string) error {
	if strings.HasPrefix(s, "arn:") {
		a, ok := secretARN(s)
		if !ok || a.Region == "" {
			return invalid("--secret %q is not a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME)", s)
		}
		return nil
	}
	if !validSecretName(s) {
		return invalid("--secret %q is not a valid secret name (letters, digits and /_+=.@- only, at most 512)", s)
	}
	return nil
}

func invalid(format string, args ...any) error {
	return sdk.Errorf(sdk.CodeInvalidArgument, format, args...)
}
