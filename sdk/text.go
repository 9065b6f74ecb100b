package sdk

import "strings"

// redactedMark replaces a secret in text.
const redactedMark = "[redacted]"

// minSecretLen: a shorter "secret" would blank out ordinary words.
const minSecretLen = 4

// Redact returns s with every secret in it replaced by "[redacted]": use it
// on any text a client library or a server wrote (it may echo a token or a
// password) before it goes into an error or a log line. Secrets shorter
// than 4 bytes are left alone: they would blank out ordinary words.
func Redact(s string, secrets ...string) string {
	for _, v := range secrets {
		if len(v) >= minSecretLen {
			s = strings.ReplaceAll(s, v, redactedMark)
		}
	}
	return s
}

// OneLine folds any run of white space (line breaks included) in s into
// one space: an error is one line, and a server's message often is not.
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
