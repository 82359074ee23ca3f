package query

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		q, want string
	}{
		{``, `*`},
		{`   `, `*`},
		{`*`, `*`},
		{`evil.example.com`, `evil.example.com`},
		{`"quoted phrase"`, `"quoted phrase"`},
		{`EVIL`, `EVIL`},
		{`a b c`, `(a AND b AND c)`},
		{`a AND b OR c`, `((a AND b) OR c)`},
		{`a OR b AND c`, `(a OR (b AND c))`},
		{`a or b and not c`, `(a OR (b AND NOT c))`},
		{`a && b || c`, `((a AND b) OR c)`},
		{`(a OR b) c`, `((a OR b) AND c)`},
		{`NOT a b`, `(NOT a AND b)`},
		{`NOT (a b)`, `NOT (a AND b)`},
		{`-a +b`, `(NOT a AND b)`},
		{`- a`, `(\- AND a)`},
		{`a-b`, `a-b`},
		{`ev*l.c?m`, `ev*l.c?m`},
		{`ev\*l`, `ev\*l`},
		{`\AND`, `\AND`},
		{`"AND"`, `"AND"`},
		{`a\ b`, `a\ b`},
		{`"say \"hi\" \\o/"`, `"say \"hi\" \\o/"`},
		{`source.port:80`, `source.port:80`},
		{`source.port: 80`, `source.port:80`},
		{`event.dataset:"flow"`, `event.dataset:"flow"`},
		{`event.dataset:fl*`, `event.dataset:fl*`},
		{`source.bytes:>1000000`, `source.bytes:>1000000`},
		{`source.bytes:>=10`, `source.bytes:>=10`},
		{`source.bytes:<10`, `source.bytes:<10`},
		{`source.bytes:<= 10`, `source.bytes:<=10`},
		{`source.bytes:> 10`, `source.bytes:>10`},
		{`source.port:[1024 TO 65535]`, `source.port:[1024 TO 65535]`},
		{`source.port:{1024 to 65535}`, `source.port:{1024 TO 65535}`},
		{`source.port:[1024 TO *]`, `source.port:[1024 TO *]`},
		{`source.port:[* TO 1024}`, `source.port:[* TO 1024}`},
		{`source.port:[-5 TO 5]`, `source.port:[-5 TO 5]`},
		{`source.port:[\-5 TO 5]`, `source.port:[-5 TO 5]`},
		{`@timestamp:[2026-11-01 TO 2026-11-02]`, `@timestamp:[2026-11-01 TO 2026-11-02]`},
		{`@timestamp:>=2026-11-01T10:00:00Z`, `@timestamp:>=2026-11-01T10:00:00Z`},
		{`@timestamp:"2026-11-01T10:00:00+02:00"`, `@timestamp:"2026-11-01T10:00:00+02:00"`},
		{`source.ip:10.0.0.0/8`, `source.ip:10.0.0.0/8`},
		{`source.ip:2001:db8::/32`, `source.ip:2001:db8::/32`},
		{`source.ip:10.0.*`, `source.ip:10.0.*`},
		{`2001:db8::1`, `2001\:db8\:\:1`},
		{`::1`, `\:\:1`},
		{`source.port:(80 OR 443)`, `(source.port:80 OR source.port:443)`},
		{`source.port:(80 443)`, `(source.port:80 AND source.port:443)`},
		{`source.port:(NOT 80)`, `NOT source.port:80`},
		{`source.port:(>1000 AND <2000)`, `(source.port:>1000 AND source.port:<2000)`},
		{`source.port:([1 TO 2] OR 8)`, `(source.port:[1 TO 2] OR source.port:8)`},
		{`network.transport:(tcp OR "udp")`, `(network.transport:tcp OR network.transport:"udp")`},
		{`_exists_:tls.client.ja4`, ``}, // filled below: unknown until tls fields exist
		{`_exists_:source.port`, `_exists_:source.port`},
		{`_exists_: source.port`, `_exists_:source.port`},
		{`source.port:*`, `_exists_:source.port`},
		{`source.mac:00:1a:2b:3c:4d:5e`, `source.mac:00:1a:2b:3c:4d:5e`},
		{`flow.interim:TRUE`, `flow.interim:TRUE`},
		{`event.dataset:"10.0.0.0/8"`, `event.dataset:"10.0.0.0/8"`},
		{`NOT NOT a`, `NOT NOT a`},
		{`((a))`, `a`},
		{`a (b OR (c d))`, `(a AND (b OR (c AND d)))`},
		{`source.ip:10.0.0.0/8 -destination.ip:192.168.0.0/16`, `(source.ip:10.0.0.0/8 AND NOT destination.ip:192.168.0.0/16)`},
		{`event.dataset:\>5`, `event.dataset:\>5`},
		{`http\://x`, `http\://x`},
	}
	for _, tt := range tests {
		if tt.want == "" {
			continue
		}
		t.Run(tt.q, func(t *testing.T) {
			n, err := Parse(tt.q)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.q, err)
			}
			if diff := cmp.Diff(tt.want, n.String()); diff != "" {
				t.Errorf("Parse(%q) (-want +got):\n%s", tt.q, diff)
			}
			// The string form parses back to itself.
			n2, err := Parse(n.String())
			if err != nil {
				t.Fatalf("reparse %q: %v", n.String(), err)
			}
			if diff := cmp.Diff(n.String(), n2.String()); diff != "" {
				t.Errorf("reparse (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		q   string
		col int
		msg string
	}{
		{`sorce.ip:10.0.0.1`, 1, `unknown field "sorce.ip" (did you mean "source.ip"?)`},
		{`a AND destinaton.port:80`, 7, `did you mean "destination.port"?`},
		{`port:80`, 1, `did you mean "source.port" or "source.nat.port" or "destination.port"?`},
		{`Source.IP:1.2.3.4`, 1, `did you mean "source.ip"?`},
		{`nosuch.group.field:1`, 1, `unknown field "nosuch.group.field"`},
		{`http://evil.example.com`, 1, `unknown field "http" (quote text`},
		{`source.port:abc`, 13, `source.port (long): "abc" is not a number`},
		{`source.port:8*`, 13, `source.port (long): wildcards need a text field`},
		{`x source.port:>abc`, 16, `source.port (long): "abc" is not a number`},
		{`event.dataset:10.0.0.0/8`, 15, `event.dataset (keyword): CIDR "10.0.0.0/8" needs an IP field`},
		{`source.ip:evil.com`, 11, `source.ip (ip): "evil.com" is not an IP address or CIDR`},
		{`source.ip:10.0.0.0/33`, 11, `not an IP address or CIDR`},
		{`flow.interim:[true TO false]`, 1, `flow.interim (boolean) does not support ranges`},
		{`flow.interim:yes`, 14, `flow.interim (boolean): "yes" is not true or false`},
		{`event.dataset:>flow`, 1, `event.dataset (keyword) does not support >`},
		{`@timestamp:yesterday`, 12, `@timestamp (date): "yesterday" is not a date`},
		{`@timestamp:[2026-11-01 TO 2026-13-01]`, 27, `"2026-13-01" is not a date`},
		{`source.mac:zz`, 12, `source.mac (mac): "zz" is not a MAC address`},
		{`source.port:[1 TO]`, 18, `range needs a bound after TO`},
		{`source.port:[1 2]`, 16, `range needs TO`},
		{`source.port:[1 TO 2`, 20, `range needs ']' or '}'`},
		{`[1 TO 2]`, 1, `a range needs a field`},
		{`source.port:`, 13, `missing value after "source.port:"`},
		{`source.port:>`, 14, `missing value after ">"`},
		{`:80`, 1, `missing field name`},
		{`_exists_:`, 10, `_exists_ needs a field name`},
		{`_exists_:nosuch`, 10, `unknown field "nosuch"`},
		{`"unterminated`, 1, `unterminated quoted phrase`},
		{`abc\`, 4, `dangling '\'`},
		{`a OR (b`, 6, `unclosed '('`},
		{`a)`, 2, `unmatched ')'`},
		{`()`, 1, `empty parentheses`},
		{`AND a`, 1, `AND needs a term before it`},
		{`a AND`, 3, `AND needs a term after it`},
		{`a OR`, 3, `OR needs a term after it`},
		{`a OR OR b`, 3, `OR needs a term after it`},
		{`NOT`, 1, `NOT needs a term after it`},
		{`a to b`, 3, `unexpected keyword "to"`},
		{`źółw sorce.ip:1`, 6, `unknown field "sorce.ip"`},
		{"ab\xffc", 3, `query is not valid UTF-8`},
		{"é\xc3", 2, `query is not valid UTF-8`},
		{strings.Repeat("(", MaxDepth+1) + "a" + strings.Repeat(")", MaxDepth+1), MaxDepth + 1, `nested deeper than 32`},
		{strings.Repeat("NOT ", MaxDepth+1) + "a", 4*MaxDepth + 1, `nested deeper than 32`},
		{strings.Repeat("a ", MaxTerms+1), 2*MaxTerms + 1, `more than 256 terms`},
		{strings.Repeat("a", MaxLength+1), MaxLength + 1, `query longer than 8192 bytes`},
	}
	for _, tt := range tests {
		name := tt.q
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			n, err := Parse(tt.q)
			var qe *Error
			if !errors.As(err, &qe) {
				t.Fatalf("Parse(%q) = %v, %v; want *Error", tt.q, n, err)
			}
			if qe.Pos != tt.col || !strings.Contains(qe.Msg, tt.msg) {
				t.Errorf("Parse(%q) error = column %d %q; want column %d containing %q", tt.q, qe.Pos, qe.Msg, tt.col, tt.msg)
			}
		})
	}
}

func TestErrorCaret(t *testing.T) {
	q := "a AND sorce.ip:1"
	_, err := Parse(q)
	var qe *Error
	if !errors.As(err, &qe) {
		t.Fatal(err)
	}
	want := "a AND sorce.ip:1\n      ^"
	if diff := cmp.Diff(want, qe.Caret(q)); diff != "" {
		t.Errorf("Caret (-want +got):\n%s", diff)
	}
	if got := err.Error(); !strings.HasPrefix(got, "query: column 7: unknown field") {
		t.Errorf("Error() = %q", got)
	}
}

func TestErrorClipsLongText(t *testing.T) {
	_, err := Parse("source.port:" + strings.Repeat("x", 1000))
	if err == nil || len(err.Error()) > 200 {
		t.Errorf("error = %v", err)
	}
	n, err := Parse("event.dataset:" + strings.Repeat("x", 100))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := Compile(n, Options{Tenant: "a"})
	if got := s.Args[1].(string); len(got) != 100 {
		t.Errorf("value clipped to %d bytes", len(got))
	}
}
