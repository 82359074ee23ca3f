package squid

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up lines in Squid's native access.log layout.
var cases = []normalizetest.Case{
	{
		Name:    "miss with user and mime type",
		Line:    `1714979289.123     42 10.0.0.5 TCP_MISS/200 5120 GET http://www.example.org/index.html alice HIER_DIRECT/198.51.100.20 text/html`,
		Dataset: "log.squid.access",
		Want: map[string]any{
			"@timestamp": "2024-05-06T07:08:09.123Z", "timestamp": "1714979289.123", "event.action": "TCP_MISS",
			"squid.request.duration": 42, "source.ip": "10.0.0.5", "http.response.status_code": 200,
			"http.response.bytes": 5120, "http.request.method": "GET", "url.original": "http://www.example.org/index.html",
			"user.name": "alice", "squid.hierarchy_code": "HIER_DIRECT", "destination.address": "198.51.100.20",
			"destination.ip": "198.51.100.20", "http.response.mime_type": "text/html", "event.outcome": "success",
		},
	},
	{
		Name: "tunnel without user or mime type",
		Line: `1714979300.001   9000 192.0.2.7 TCP_TUNNEL/200 777 CONNECT api.example.net:443 - HIER_DIRECT/api.example.net -`,
		Want: map[string]any{
			"event.action": "TCP_TUNNEL", "url.original": "api.example.net:443", "destination.address": "api.example.net",
			"_absent": []any{"user.name", "http.response.mime_type", "destination.ip"},
		},
	},
	{
		Name: "aborted, no reply, no peer",
		Line: `1714979300.500      0 192.0.2.8 TCP_MISS_ABORTED/000 0 GET http://example.com/x - NONE/- -`,
		Want: map[string]any{
			"http.response.bytes": 0, "squid.hierarchy_code": "NONE",
			"_absent": []any{"http.response.status_code", "destination.address", "event.outcome"},
		},
	},
	{
		Name: "denied, trailing extra field",
		Line: `1714979301.999      1 192.0.2.9 TCP_DENIED/403 3900 GET http://blocked.example/ - HIER_NONE/- text/html 17.5`,
		Want: map[string]any{"http.response.status_code": 403, "event.outcome": "failure", "http.response.mime_type": "text/html"},
	},
	{Name: "too short", Line: `1714979301.999      1 192.0.2.9 TCP_DENIED/403 3900 GET`, Err: true},
}

func TestParse(t *testing.T) {
	normalizetest.Run(t, Parser{}, &normalize.Env{}, cases)
}

func TestDetect(t *testing.T) {
	for line, want := range map[string]bool{
		`1714979289.123     42 10.0.0.5 TCP_MISS/200 5120 GET http://a/ - HIER_DIRECT/1.2.3.4 -`:                true,
		`<14>May  6 07:08:09 proxy squid[12]: 1714979289.123 4 10.0.0.5 TCP_HIT/200 5 GET http://a/ - NONE/- -`: true,
		`1714979289.123     42 10.0.0.5 tcp_miss/200 5120 GET http://a/ - HIER_DIRECT/1.2.3.4 -`:                false,
		`1714979289     42 10.0.0.5 TCP_MISS/200 5120 GET http://a/ - HIER_DIRECT/1.2.3.4 -`:                    false,
		`10.0.0.1 - - [06/May/2024:07:08:09 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/8.0"`:                     false,
		`1714979289.123 10.0.0.5 TCP_MISS/200 5120 GET http://a/ - HIER_DIRECT/1.2.3.4 -`:                       false,
		`{"ts":1714979289.123,"uid":"C1","id.orig_h":"10.0.0.1"}`:                                               false,
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
