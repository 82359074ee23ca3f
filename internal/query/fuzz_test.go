package query

import (
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	``, `*`, `evil.example.com`, `"quoted phrase"`, `a b OR c`, `NOT (a OR -b) +c`,
	`source.port:80`, `source.port:(80 OR 443)`, `source.bytes:>1000000`, `source.port:{1 TO 2]`,
	`@timestamp:[2026-11-01 TO 2026-11-02]`, `@timestamp:>=2026-11-01T10:00:00.123+02:00`,
	`source.ip:10.0.0.0/8`, `source.ip:2001:db8::/32`, `2001:db8::1`, `source.ip:10.*`,
	`_exists_:network.community_id`, `source.port:*`, `flow.interim:true`, `flow.tunnel.types:vx?an`,
	`flow.pattern.sizes:[1 TO 1500]`, `source.mac:00:1a:2b:3c:4d:5e`, `ev\*l\ x`, `"a \"b\" \\"`,
	`dns.question.name:*.ru AND NOT source.ip:10.0.0.0/8`, `sorce.ip:1`, `a AND`, `(`, `"`, `\`,
	`source.port:[-5 TO 5]`, `event.dataset:"10.0.0.0/8"`, `' OR 1=1; --`, "a\x00b", `x:"/*"`,
}

// FuzzParse checks that the parser never panics, that the string form of
// a tree parses back to the same string, and that compiling never writes a
// value into the SQL text.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	recs := testRecords()
	f.Fuzz(func(t *testing.T, q string) {
		n, err := Parse(q)
		if err != nil {
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("Parse(%q): error %T is not *Error", q, err)
			}
			if e.Pos < 1 || e.Pos > utf8.RuneCountInString(q)+1 {
				t.Fatalf("Parse(%q): column %d outside the query", q, e.Pos)
			}
			return
		}
		s := n.String()
		n2, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q) = %s, which does not parse: %v", q, s, err)
		}
		if s2 := n2.String(); s2 != s {
			t.Fatalf("Parse(%q) = %s, which parses to %s", q, s, s2)
		}
		sq, err := Compile(n, Options{Tenant: "acme"})
		if err != nil {
			t.Fatalf("Compile(%q): %v", q, err)
		}
		checkSQL(t, q, sq)
		if len(sq.Where) > 4<<20 {
			t.Fatalf("Compile(%q): %d bytes of SQL", q, len(sq.Where))
		}
		p, err := NewPredicate(n, Options{Tenant: "acme"})
		if err != nil {
			t.Fatalf("NewPredicate(%q): %v", q, err)
		}
		for _, r := range recs {
			p(r)
		}
		if strings.Contains(sq.Where, ";") {
			t.Fatalf("Compile(%q): ';' in SQL", q)
		}
	})
}
