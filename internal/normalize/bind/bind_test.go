package bind

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up lines in BIND's query-log layout.
var cases = []normalizetest.Case{
	{
		Name:    "file with time, category, severity",
		Line:    `06-May-2024 07:08:09.123 queries: info: client 10.0.0.5#40000 (www.example.co.uk): query: www.example.co.uk IN AAAA +E(0)DC (10.0.0.1)`,
		Dataset: "log.bind.query",
		Want: map[string]any{
			"@timestamp": "2024-05-06T07:08:09.123Z", "timestamp": "06-May-2024 07:08:09.123", "log.level": "info",
			"client.ip": "10.0.0.5", "client.port": 40000, "bind.log.question.name": "www.example.co.uk",
			"dns.question.name": "www.example.co.uk", "dns.question.class": "IN", "dns.question.type": "AAAA",
			"dns.question.registered_domain": "example.co.uk", "bind.log.question.flags": "+E(0)DC",
			"dns.header_flags": []any{"CD", "DO", "RD"}, "network.transport": "udp", "server.ip": "10.0.0.1",
		},
	},
	{
		Name: "client object, view, tcp",
		Line: `06-May-2024 07:08:10.000 client @0x7f0000000001 192.0.2.10#53535 (example.org): view internal: query: example.org IN MX -T (192.0.2.1)`,
		Want: map[string]any{
			"client.ip": "192.0.2.10", "bind.log.view": "internal", "dns.question.type": "MX", "network.transport": "tcp",
			"server.ip": "192.0.2.1", "_absent": []any{"log.level", "dns.header_flags"},
		},
	},
	{
		Name: "syslog body, IPv6",
		Line: `<30>May  6 07:08:11 ns1 named[999]: client @0x7f0000000002 2001:db8::5#5353 (host.example.net): query: host.example.net IN A + (2001:db8::53)`,
		Want: map[string]any{
			"@timestamp": "2024-05-06T07:08:11Z", "client.ip": "2001:db8::5", "client.port": 5353,
			"server.ip": "2001:db8::53", "dns.header_flags": []any{"RD"}, "_absent": []any{"timestamp"},
		},
	},
	{
		Name: "old layout without the name in parentheses nor flags",
		Line: `client 10.1.1.1#1024: query: example.com IN TXT (10.1.1.2)`,
		Want: map[string]any{"client.port": 1024, "dns.question.type": "TXT", "_absent": []any{"bind.log.question.flags"}},
	},
	{Name: "no client address", Line: `client nowhere (x): query: x IN A + (10.0.0.1)`, Err: true},
	{Name: "no server", Line: `client 10.0.0.1#5 (x): query: x (10.0.0.1)`, Err: true},
}

func TestParse(t *testing.T) {
	normalizetest.Run(t, Parser{}, &normalize.Env{Year: 2024}, cases)
}

func TestDetect(t *testing.T) {
	for line, want := range map[string]bool{
		`client 10.1.1.1#1024 (x.org): query: x.org IN A + (10.1.1.2)`:                                                          true,
		`06-May-2024 07:08:09.123 queries: info: client 10.0.0.5#40000 (a.b): query: a.b IN A + (10.0.0.1)`:                     true,
		`<30>May  6 07:08:11 ns1 named[9]: client 10.0.0.5#4 (a.b): query: a.b IN A + (10.0.0.1)`:                               true,
		`<30>May  6 07:08:11 ns1 named[9]: 06-May-2024 07:08:09.123 client 10.0.0.5#4 UDP: query: a.b IN A response: NOERROR +`: false,
		`client @0x7f 10.0.0.5#4 (a.b): query failed (REFUSED) for a.b/IN/TXT at query.c:1`:                                     false,
		`06-May-2024 07:08:09.123 general: info: zone example.com/IN: loaded serial 1 (example)`:                                false,
		`10.0.0.1 - - [06/May/2024:07:08:09 +0000] "GET /client (x): query: HTTP/1.1" 200 612 "-" "c (x)"`:                      false,
	} {
		var m normalize.Message
		normalize.ParseHeader(line, &normalize.Env{}, &m)
		if got := (Parser{}).Detect(&m); got != want {
			t.Errorf("Detect(%q) = %v", line, got)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	var m normalize.Message
	var e normalize.Event
	env := &normalize.Env{}
	normalize.ParseHeader(cases[0].Line, env, &m)
	b.ReportAllocs()
	for b.Loop() {
		e.Reset()
		_ = Parser{}.Parse(&m, env, &e)
	}
}
