// Package region maps Keeper region codes to hosts. keeper.ini stores the
// code as the user gave it (as Keeper's CLI does); it is mapped only on use.
package region

import "strings"

// hosts holds the known region codes. US_GOV is documented by Keeper but
// unknown to its CLI; we accept both spellings.
var hosts = map[string]string{
	"US":     "keepersecurity.com",
	"EU":     "keepersecurity.eu",
	"AU":     "keepersecurity.com.au",
	"GOV":    "govcloud.keepersecurity.us",
	"US_GOV": "govcloud.keepersecurity.us",
	"JP":     "keepersecurity.jp",
	"CA":     "keepersecurity.ca",
}

// Codes lists the region codes in documentation order.
func Codes() []string { return []string{"US", "EU", "AU", "GOV", "US_GOV", "JP", "CA"} }

// Host returns the host for a region code (case-insensitive) or, for
// anything else, the value itself, taken to be a host name already.
func Host(codeOrHost string) string {
	if h, ok := hosts[strings.ToUpper(strings.TrimSpace(codeOrHost))]; ok {
		return h
	}
	return strings.TrimSpace(codeOrHost)
}

// IsCode reports whether s is a known region code.
func IsCode(s string) bool {
	_, ok := hosts[strings.ToUpper(strings.TrimSpace(s))]
	return ok
}
