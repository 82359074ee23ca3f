package normalize

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Config configures one Normalizer, typically one per listener.
type Config struct {
	// Parser forces one parser for every line ("" auto-detects per line;
	// "unparsed" stores lines without parsing them).
	Parser string `yaml:"parser"`
	// Parsers restricts auto-detection to these parsers (empty: all).
	Parsers []string `yaml:"parsers"`
	// Sources forces a parser per sending address or prefix
	// ("10.0.0.1": "panos", "10.1.0.0/16": "fortigate"), for
	// NormalizeFrom. The longest matching prefix wins.
	Sources map[string]string `yaml:"sources"`
	// Timezone of timestamps that carry none: an IANA name
	// ("Europe/Berlin"), "Local", "UTC" or an offset ("+09:30"). "" is UTC.
	Timezone string `yaml:"timezone"`
	// Year of yearless timestamps (BSD syslog); 0 is the current year.
	Year int `yaml:"year"`
	// Organization names the organization (an MSSP's customer, a
	// Microsoft 365 tenant such as contoso.onmicrosoft.com) the lines
	// belong to, as organization.name, where a line does not name it.
	Organization string `yaml:"organization"`
	// KeepOriginal stores each line as event.original.
	KeepOriginal bool `yaml:"keep_original"`
	// MaxLine is the number of bytes of a line that are parsed; the rest
	// is cut and counted as truncated.
	MaxLine int `yaml:"max_line"`
	// MaxOriginal caps event.original, in bytes.
	MaxOriginal int `yaml:"max_original"`
}

// DefaultConfig returns working defaults: auto-detection, UTC, the
// original line kept, lines parsed up to 64 KiB and kept up to 128 KiB.
func DefaultConfig() Config {
	return Config{KeepOriginal: true, MaxLine: 64 << 10, MaxOriginal: 128 << 10}
}

// Validate checks names, prefixes, the timezone and the sizes.
func (c Config) Validate() error {
	var errs []error
	if c.Parser != "" {
		if _, err := lookupErr(c.Parser); err != nil {
			errs = append(errs, fmt.Errorf("normalize.parser: %w", err))
		}
	}
	for _, name := range c.Parsers {
		if _, err := lookupErr(name); err != nil {
			errs = append(errs, fmt.Errorf("normalize.parsers: %w", err))
		}
	}
	for src, name := range c.Sources {
		if _, err := parseSource(src); err != nil {
			errs = append(errs, fmt.Errorf("normalize.sources: %q: %w", src, err))
		}
		if _, err := lookupErr(name); err != nil {
			errs = append(errs, fmt.Errorf("normalize.sources: %q: %w", src, err))
		}
	}
	if _, err := ParseLocation(c.Timezone); err != nil {
		errs = append(errs, fmt.Errorf("normalize.timezone: %w", err))
	}
	if c.Year < 0 || c.Year > 9999 {
		errs = append(errs, fmt.Errorf("normalize.year: %d is not a year (0 means the current one)", c.Year))
	}
	if c.MaxLine < 256 {
		errs = append(errs, fmt.Errorf("normalize.max_line: %d is under 256 bytes", c.MaxLine))
	}
	if c.MaxOriginal < 0 {
		errs = append(errs, fmt.Errorf("normalize.max_original: %d is negative", c.MaxOriginal))
	}
	return errors.Join(errs...)
}

func parseSource(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// ParseLocation resolves a timezone setting: "" and "UTC" are UTC,
// "Local" the machine's zone, "+09:30"/"-0400" a fixed offset, anything
// else an IANA name.
func ParseLocation(s string) (*time.Location, error) {
	switch s {
	case "", "UTC", "utc", "Z":
		return time.UTC, nil
	case "Local", "local":
		return time.Local, nil
	}
	if s[0] == '+' || s[0] == '-' {
		off, n := zoneOffset(s)
		if n != len(s) || n < 3 {
			return nil, fmt.Errorf("offset %q is not ±hh:mm", s)
		}
		return time.FixedZone(s, off), nil
	}
	loc, err := time.LoadLocation(s)
	if err != nil {
		return nil, fmt.Errorf("unknown timezone %q (an IANA name such as Europe/Berlin, UTC, Local or ±hh:mm)", s)
	}
	return loc, nil
}
