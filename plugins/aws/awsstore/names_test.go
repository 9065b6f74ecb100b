package awsstore

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

func TestNameChecksMatchTheirPatterns(t *testing.T) {
	secret := regexp.MustCompile(`^[A-Za-z0-9/_+=.@-]{1,512}$`)
	region := regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	inputs := []string{"", "a", "ksm/prod-config", "a b", "a:b", "é", "x\n", "a,b",
		strings.Repeat("x", 512), strings.Repeat("x", 513), "us-east-1", "us-gov-west-1",
		"eu-central-12", "us-east-", "us--1", "u-east-1", "use-east-1", "US-east-1", "us-east-1a",
		"us-east", "-us-east-1", "us-east-1-", "cn-north-1", "aa-b-0"}
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "ab-1Z/.: "
	for range 20000 {
		b := make([]byte, rng.IntN(14))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		inputs = append(inputs, string(b))
	}
	for _, s := range inputs {
		if got, want := validSecretName(s), secret.MatchString(s); got != want {
			t.Errorf("validSecretName(%q) = %v, the pattern says %v", s, got, want)
		}
		if got, want := validRegion(s), region.MatchString(s); got != want {
			t.Errorf("validRegion(%q) = %v, the pattern says %v", s, got, want)
		}
	}
}
