package appid

import (
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// MaxHostLen is the longest name Match considers: 253 characters, the
// limit of a DNS name in text form without its trailing dot (RFC 1035
// section 2.3.4). Longer input cannot be a host name and is not looked up.
const MaxHostLen = 253

// maxLabelLen is the limit of one DNS label (RFC 1035 section 2.3.4).
const maxLabelLen = 63

// ErrMalformed marks a catalog row whose header, name, category, domain or
// source is not of the documented form.
var ErrMalformed = errors.New("malformed")

// ErrDuplicate marks an application name or a domain that appears twice:
// a domain names one application, or matching would depend on row order.
var ErrDuplicate = errors.New("duplicate")

//go:embed catalog.csv
var catalogCSV string

// header is the first row of every catalog file.
var header = []string{"application", "category", "domains", "source"}

// App is an application and its category, both lowercase.
type App struct {
	Name     string
	Category string
}

// Catalog maps host names to applications. It is immutable once built, so
// one Catalog can be shared by every goroutine of the pipeline.
type Catalog struct {
	apps []App // sorted by name

	// domains maps every catalog domain to its application's index in
	// apps. Match looks up each suffix of a name that starts at a label,
	// longest first.
	domains map[string]int32

	// maxLabels is the most labels any catalog domain has. Suffixes with
	// more labels cannot be in domains, so Match skips them instead of
	// hashing them: names with many labels (CDN edges, DNS-SD, tracking
	// subdomains) then cost as much as short ones.
	maxLabels int
}

var defaultCatalog = sync.OnceValue(func() *Catalog {
	c, err := Parse(strings.NewReader(catalogCSV))
	if err != nil {
		// The embedded file is part of the binary; TestDefault keeps it valid.
		panic(fmt.Sprintf("appid: embedded catalog.csv: %v", err))
	}
	return c
})

// Default returns the catalog embedded from catalog.csv, parsed on first
// use. It panics only if the embedded file is invalid, which the package's
// tests rule out before a binary is built.
func Default() *Catalog { return defaultCatalog() }

// Parse reads a catalog in the form of catalog.csv: a header row
// "application,category,domains,source", then one row per application
// with a lowercase name ([a-z0-9_-]), a category from Categories, domains
// separated by spaces and the URL of a public source. Errors name the line
// and wrap ErrMalformed or ErrDuplicate.
func Parse(r io.Reader) (*Catalog, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(header)
	cr.ReuseRecord = true
	rec, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("appid: header: %w", err)
	}
	if !slices.Equal(rec, header) {
		return nil, fmt.Errorf("appid: line 1: %w header %q, want %q", ErrMalformed, strings.Join(rec, ","), strings.Join(header, ","))
	}
	type row struct {
		line    int
		app     App
		domains []string
	}
	var rows []row
	nameLine := map[string]int{}
	domainLine := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// csv.ParseError already names the line.
			return nil, fmt.Errorf("appid: %w", err)
		}
		line, _ := cr.FieldPos(0)
		name, cat, doms, src := rec[0], rec[1], rec[2], rec[3]
		if !validName(name) {
			return nil, fmt.Errorf("appid: line %d: %w application name %q: want [a-z0-9_-], starting with a letter or digit", line, ErrMalformed, name)
		}
		if prev, ok := nameLine[name]; ok {
			return nil, fmt.Errorf("appid: line %d: %w application %q, first on line %d", line, ErrDuplicate, name, prev)
		}
		nameLine[name] = line
		if _, ok := categories[cat]; !ok {
			return nil, fmt.Errorf("appid: line %d: %w category %q of %s: known categories are %s", line, ErrMalformed, cat, name, strings.Join(CategoryNames(), ", "))
		}
		if err := validSource(src); err != nil {
			return nil, fmt.Errorf("appid: line %d: %w source of %s: %v", line, ErrMalformed, name, err)
		}
		fields := strings.Fields(doms)
		if len(fields) == 0 {
			return nil, fmt.Errorf("appid: line %d: %w: %s has no domains", line, ErrMalformed, name)
		}
		for _, d := range fields {
			if err := validDomain(d); err != nil {
				return nil, fmt.Errorf("appid: line %d: %w domain %q of %s: %v", line, ErrMalformed, d, name, err)
			}
			if prev, ok := domainLine[d]; ok {
				return nil, fmt.Errorf("appid: line %d: %w domain %q of %s, already on line %d", line, ErrDuplicate, d, name, prev)
			}
			domainLine[d] = line
		}
		rows = append(rows, row{line, App{Name: strings.Clone(name), Category: strings.Clone(cat)}, fields})
	}
	slices.SortFunc(rows, func(a, b row) int { return strings.Compare(a.app.Name, b.app.Name) })
	c := &Catalog{apps: make([]App, len(rows)), domains: make(map[string]int32, len(domainLine))}
	for i, r := range rows {
		c.apps[i] = r.app
		for _, d := range r.domains {
			c.domains[d] = int32(i)
			c.maxLabels = max(c.maxLabels, strings.Count(d, ".")+1)
		}
	}
	return c, nil
}

// validName reports whether s is a valid application name.
func validName(s string) bool {
	if s == "" || s[0] == '-' || s[0] == '_' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// validDomain checks a catalog domain: lowercase letters, digits and
// hyphens in at least two labels, with a top-level label that is not all
// digits, so that no catalog entry can match an IPv4 address or a bare TLD.
func validDomain(d string) error {
	if len(d) > MaxHostLen {
		return errors.New("longer than 253 characters")
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return errors.New("a single label: a domain needs at least two")
	}
	for _, l := range labels {
		switch {
		case l == "":
			return errors.New("empty label")
		case len(l) > maxLabelLen:
			return errors.New("label longer than 63 characters")
		case l[0] == '-' || l[len(l)-1] == '-':
			return errors.New("label starts or ends with a hyphen")
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return fmt.Errorf("character %q: want lowercase letters, digits, hyphens and dots", c)
			}
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return errors.New("numeric top-level label")
	}
	return nil
}

// validSource checks that a source is an absolute http or https URL, the
// address of the public page the row's facts come from.
func validSource(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	return nil
}

// Match returns the application of a host name: the application of the
// longest catalog domain that is the name itself or one of its suffixes
// starting at a label ("e7.whatsapp.net" matches "whatsapp.net";
// "notgoogle.com" does not match "google.com"). The name is taken as a
// TLS SNI, HTTP Host or DNS query name gives it: case is ignored, and so
// are one trailing dot and a ":port". Anything else that is not a host
// name (an IP address, a name over MaxHostLen, bytes outside letters,
// digits, '-', '_' and '.', an empty label) matches nothing. Match never
// allocates.
func (c *Catalog) Match(host string) (App, bool) {
	// Room for the longest name, its trailing dot and ":65535".
	if len(host) > MaxHostLen+1+6 {
		return App{}, false
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		port := host[i+1:]
		if port == "" || len(port) > 5 || strings.Trim(port, "0123456789") != "" {
			return App{}, false
		}
		// An IPv6 address, bracketed or not, keeps a colon here, which
		// scan rejects.
		host = host[:i]
	}
	host = strings.TrimSuffix(host, ".")
	if host == "" || len(host) > MaxHostLen {
		return App{}, false
	}
	upper, labels, ok := scan(host)
	if !ok {
		return App{}, false
	}
	// Skip the leading labels that make every suffix longer than any
	// catalog domain.
	start := 0
	for skip := labels - c.maxLabels; skip > 0; skip-- {
		start += strings.IndexByte(host[start:], '.') + 1
	}
	if !upper {
		for {
			if i, ok := c.domains[host[start:]]; ok {
				return c.apps[i], true
			}
			dot := strings.IndexByte(host[start:], '.')
			if dot < 0 {
				return App{}, false
			}
			start += dot + 1
		}
	}
	// The name has upper-case letters: lower it into a stack buffer. The
	// compiler turns m[string(b)] into a lookup without a conversion, so
	// this path does not allocate either.
	var buf [MaxHostLen]byte
	b := buf[:len(host)]
	for i := 0; i < len(host); i++ {
		ch := host[i]
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		b[i] = ch
	}
	for {
		if i, ok := c.domains[string(b[start:])]; ok {
			return c.apps[i], true
		}
		dot := strings.IndexByte(host[start:], '.')
		if dot < 0 {
			return App{}, false
		}
		start += dot + 1
	}
}

// scan checks that host is made of labels of 1 to 63 letters, digits,
// hyphens and underscores (underscores occur in real SRV and DNS-SD names)
// separated by single dots, and that its last label is not all digits,
// which rules out IPv4 addresses. It reports whether host has upper-case
// letters and how many labels it has.
func scan(host string) (upper bool, labels int, ok bool) {
	labels = 1
	labelLen := 0
	digits := true // the current label is all digits so far
	for i := 0; i < len(host); i++ {
		c := host[i]
		switch {
		case c == '.':
			if labelLen == 0 {
				return false, 0, false
			}
			labels++
			labelLen = 0
			digits = true
			continue
		case c >= 'a' && c <= 'z', c == '-', c == '_':
			digits = false
		case c >= 'A' && c <= 'Z':
			upper = true
			digits = false
		case c >= '0' && c <= '9':
		default:
			return false, 0, false
		}
		labelLen++
		if labelLen > maxLabelLen {
			return false, 0, false
		}
	}
	if labelLen == 0 || digits {
		return false, 0, false
	}
	return upper, labels, true
}

// Apps returns every application of the catalog sorted by name, for
// documentation and listings. The slice is a copy.
func (c *Catalog) Apps() []App { return slices.Clone(c.apps) }

// Len returns the number of applications.
func (c *Catalog) Len() int { return len(c.apps) }
