package awsstore

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/ksm-cli/ksm/sdk"
)

// Credential methods, as `--credentials` names them and `provider` stores them.
const (
	methodEC2     = "ec2instance"
	methodProfile = "profile"
	methodKeys    = "keys"
	// providerCustom is what the reference's setup writes for keys (its
	// defect: its own loader rejects it); we read it as keys.
	providerCustom = "custom"
	// viaDefaultChain is not a setting: it names the fallback attempt.
	viaDefaultChain = "default"
)

// keeper.ini keys of an aws profile section, as the reference writes them.
const (
	keyProvider        = "provider"
	keySecret          = "secret"
	keyProfile         = "profile"
	keyAccessKeyID     = "aws_access_key_id"
	keySecretAccessKey = "aws_secret_access_key"
	keyRegion          = "region"
	keyFallback        = "fallback"
)

// defaultSecret is the reference's default secret name.
const defaultSecret = "ksm-config"

// target is where a profile's config lives and how to reach it.
type target struct {
	method    string // methodEC2, methodProfile or methodKeys
	secret    string // name or ARN
	profile   string // shared-config profile; "" is the SDK's default (AWS_PROFILE, else "default")
	keyID     string
	secretKey string
	region    string // explicit region; "" derives it
	fallback  bool
}

// parseSettings reads a profile section. It accepts everything the
// reference writes: `provider = custom`, an empty `profile`, `fallback`
// spelt as Python writes booleans, and keys it has no use for.
func parseSettings(s sdk.Settings) (target, error) {
	// Setup always writes at least provider and secret; nothing at all is
	// a damaged profile section rather than a wish for the defaults.
	if len(s) == 0 {
		return target{}, sdk.Errorf(sdk.CodeInvalidArgument,
			"the keeper.ini profile has no aws settings; run `ksm profile setup --type aws` again")
	}
	get := func(k string) string { return strings.TrimSpace(s[k]) }
	t := target{
		secret:    get(keySecret),
		profile:   get(keyProfile),
		keyID:     get(keyAccessKeyID),
		secretKey: get(keySecretAccessKey),
		region:    get(keyRegion),
	}
	if t.secret == "" {
		t.secret = defaultSecret
	}
	switch p := strings.ToLower(get(keyProvider)); p {
	case "", methodEC2:
		t.method = methodEC2
	case methodProfile:
		t.method = methodProfile
	case methodKeys, providerCustom:
		t.method = methodKeys
	default:
		return target{}, sdk.Errorf(sdk.CodeInvalidArgument,
			"keeper.ini setting provider = %q is not one of ec2instance, profile, keys (or custom); run `ksm profile setup --type aws` again", p)
	}
	if t.method == methodKeys {
		var missing []string
		if t.keyID == "" {
			missing = append(missing, keyAccessKeyID)
		}
		if t.secretKey == "" {
			missing = append(missing, keySecretAccessKey)
		}
		if len(missing) > 0 {
			return target{}, sdk.Errorf(sdk.CodeInvalidArgument,
				"keeper.ini settings for provider = keys lack %s; run `ksm profile setup --type aws --credentials keys` again",
				strings.Join(missing, " and "))
		}
	}
	for _, r := range []string{t.region, t.arnRegion()} {
		if r != "" && !regionPattern.MatchString(r) {
			return target{}, sdk.Errorf(sdk.CodeInvalidArgument,
				"keeper.ini names the AWS region %q, which is not a region name such as us-east-1; run `ksm profile setup --type aws` again with --region", r)
		}
	}
	fb, ok := parseBool(get(keyFallback))
	if !ok {
		return target{}, sdk.Errorf(sdk.CodeInvalidArgument,
			"keeper.ini setting fallback must be true or false; run `ksm profile setup --type aws` again")
	}
	t.fallback = fb
	return t, nil
}

// settings is the keeper.ini form of t: the reference's keys, `provider =
// keys` (which the reference's loader reads, unlike the `custom` its setup
// writes), and `fallback = true` only when on, as the reference does.
func (t target) settings() sdk.Settings {
	s := sdk.Settings{keyProvider: t.method, keySecret: t.secret}
	switch t.method {
	case methodProfile:
		s[keyProfile] = t.profile // empty means the default profile, as in the reference
	case methodKeys:
		s[keyAccessKeyID] = t.keyID
		s[keySecretAccessKey] = t.secretKey
	}
	if t.region != "" {
		s[keyRegion] = t.region
	}
	if t.fallback {
		s[keyFallback] = "true"
	}
	return s
}

// arnRegion is the region a secret ARN names, "" for a plain name.
func (t target) arnRegion() string {
	if a, ok := secretARN(t.secret); ok {
		return a.Region
	}
	return ""
}

// isARN reports whether the secret is given by ARN (which cannot be created).
func (t target) isARN() bool { return arn.IsARN(t.secret) }

// secretARN parses a Secrets Manager secret ARN.
func secretARN(s string) (arn.ARN, bool) {
	if !arn.IsARN(s) {
		return arn.ARN{}, false
	}
	a, err := arn.Parse(s)
	if err != nil || a.Service != "secretsmanager" || !strings.HasPrefix(a.Resource, "secret:") {
		return arn.ARN{}, false
	}
	return a, true
}

// parseBool reads booleans as the host, Python's configparser and people
// write them; empty is false.
func parseBool(s string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "false", "0", "no", "off":
		return false, true
	case "true", "1", "yes", "on":
		return true, true
	}
	return false, false
}
