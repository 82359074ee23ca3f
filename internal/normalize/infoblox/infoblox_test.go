package infoblox

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up lines in NIOS's syslog layout.
var cases = []normalizetest.Case{
	{
		Name:    "response with answers",
		Line:    `<30>May  6 07:08:09 gm.example.net named[4242]: 06-May-2024 07:08:08.500 client 10.0.0.5#40000 UDP: query: www.example.co.uk IN A response: NOERROR +AED www.example.co.uk 300 IN CNAME web.example.co.uk; web.example.co.uk 60 IN A 198.51.100.7;`,
		Dataset: "log.infoblox.dns",
		Want: map[string]any{
			"@timestamp": "2024-05-06T07:08:08.5Z", "event.created": "2024-05-06T07:08:09Z", "host.domain": "gm.example.net",
			"process.pid": 4242, "client.ip": "10.0.0.5", "client.port": 40000, "network.transport": "udp",
			"network.protocol": "dns", "dns.question.name": "www.example.co.uk", "dns.question.class": "IN",
			"dns.question.type": "A", "dns.question.registered_domain": "example.co.uk", "dns.response_code": "NOERROR",
			"dns.header_flags": []any{"AA", "DO", "RA"}, "infoblox_nios.log.dns.header_flags": "+AED",
			"dns.answers": map[string]any{
				"name": []any{"www.example.co.uk", "web.example.co.uk"}, "ttl": []any{300, 60}, "class": []any{"IN", "IN"},
				"type": []any{"CNAME", "A"}, "data": []any{"web.example.co.uk", "198.51.100.7"},
			},
			"dns.resolved_ip": []any{"198.51.100.7"}, "infoblox_nios.log.type": "DNS", "infoblox_nios.log.service_name": "named",
		},
	},
	{
		Name: "refused over tcp, no flags",
		Line: `<45>May  6 07:08:10 gm.example.net named[4242]: client 192.0.2.1#5000 TCP: query: example.org IN TXT response: REFUSED -`,
		Want: map[string]any{
			"@timestamp": "2024-05-06T07:08:10Z", "network.transport": "tcp", "dns.response_code": "REFUSED",
			"infoblox_nios.log.dns.header_flags": "-", "_absent": []any{"dns.header_flags", "dns.answers.name"},
		},
	},
	{
		Name: "query failed",
		Line: `<30>May  6 07:08:11 gm.example.net named[4242]: client @0x7f0000000003 2001:db8::9#6000 (bad.example): query failed (SERVFAIL) for bad.example/IN/A at query.c:1234`,
		Want: map[string]any{
			"client.ip": "2001:db8::9", "client.port": 6000, "message": "client @0x7f0000000003 2001:db8::9#6000 (bad.example): query failed (SERVFAIL) for bad.example/IN/A at query.c:1234",
			"infoblox_nios.log.dns.message": "(SERVFAIL) for bad.example/IN/A at query.c:1234",
			"_absent":                       []any{"dns.question.name"},
		},
	},
	{
		Name: "damaged answer skipped",
		Line: `client 10.0.0.5#1 UDP: query: a.example IN A response: NOERROR + a.example x IN A 10.0.0.9; a.example 5 IN A 10.0.0.8;`,
		Want: map[string]any{"dns.answers.data": []any{"10.0.0.8"}, "dns.header_flags": []any{"RA"}},
	},
	{Name: "no client address", Line: `client somewhere UDP: query: a.example IN A response: NOERROR +`, Err: true},
	{Name: "short question", Line: `client 10.0.0.5#1 UDP: query: a.example response: NOERROR +`, Err: true},
}

func TestParse(t *testing.T) {
	normalizetest.Run(t, Parser{}, &normalize.Env{Year: 2024}, cases)
}

func TestParseQueryLog(t *testing.T) {
	// A plain query-log line is the bind parser's in auto-detection; forced
	// to this parser it is still read.
	var m normalize.Message
	var e normalize.Event
	env := &normalize.Env{Year: 2024}
	normalize.ParseHeader(`<30>May  6 07:08:12 gm named[1]: client 10.0.0.5#7 (a.example): query: a.example IN A +E(0)D (10.0.0.1)`, env, &m)
	if err := (Parser{}).Parse(&m, env, &e); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"dns.type": "query", "server.ip": "10.0.0.1", "dns.header_flags": []any{"DO", "RD"}, "client.port": 7}
	if mm, _ := normalizetest.Compare(&e, want); len(mm) > 0 {
		t.Error(mm)
	}
}

func TestDetect(t *testing.T) {
	for line, want := range map[string]bool{
		`<30>May  6 07:08:11 gm named[9]: 06-May-2024 07:08:09.123 client 10.0.0.5#4 UDP: query: a.b IN A response: NOERROR +`: true,
		`client 10.0.0.5#4 UDP: query: a.b IN A response: NXDOMAIN +ED`:                                                        true,
		`<30>May  6 07:08:11 gm named[9]: client @0x7f 10.0.0.5#4 (a.b): query failed (REFUSED) for a.b/IN/TXT at query.c:1`:   true,
		`client @0x7f 10.0.0.5#4 (a.b): query failed (REFUSED) for a.b/IN/TXT at query.c:1`:                                    false,
		`<30>May  6 07:08:11 ns1 named[9]: client 10.0.0.5#4 (a.b): query: a.b IN A + (10.0.0.1)`:                              false,
		`<30>May  6 07:08:11 gm named[9]: zone example.com/IN: loaded serial 2024050601`:                                       false,
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
