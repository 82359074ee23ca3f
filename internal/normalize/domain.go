package normalize

import (
	"strings"

	"golang.org/x/net/publicsuffix"
)

// RegisteredDomain returns the registered domain of a host name (the
// public suffix plus one label: "www.example.co.uk" → "example.co.uk"),
// or "" when there is none (an IP address, a bare suffix, a single
// label). A trailing dot is ignored.
func RegisteredDomain(name string) string {
	name = strings.TrimSuffix(name, ".")
	if name == "" || strings.IndexByte(name, '.') < 0 || len(name) > 253 {
		return ""
	}
	if c := name[len(name)-1]; c >= '0' && c <= '9' || strings.IndexByte(name, ':') >= 0 {
		return "" // an address
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(Lower(name))
	if err != nil {
		return ""
	}
	return d
}

// TopLevelDomain returns the public suffix of a host name ("co.uk").
func TopLevelDomain(name string) string {
	name = strings.TrimSuffix(name, ".")
	if name == "" || strings.IndexByte(name, '.') < 0 {
		return ""
	}
	s, _ := publicsuffix.PublicSuffix(Lower(name))
	return s
}
