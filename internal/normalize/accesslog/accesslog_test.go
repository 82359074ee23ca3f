package accesslog

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up lines in the Combined and Common Log Formats.
var cases = []normalizetest.Case{
	{
		Name:    "combined, nginx by default",
		Line:    `198.51.100.23 - - [06/May/2024:09:08:09 +0200] "GET /static/app.min.js?v=3 HTTP/1.1" 200 5120 "https://www.example.org/" "Mozilla/5.0 (X11; Linux x86_64) Example/1.0"`,
		Dataset: "log.nginx.access",
		Want: map[string]any{
			"@timestamp": "2024-05-06T07:08:09Z", "event.category": []any{"web"}, "event.type": []any{"access"},
			"event.outcome": "success", "source.ip": "198.51.100.23", "source.address": "198.51.100.23",
			"http.request.method": "GET", "url.original": "/static/app.min.js?v=3", "url.path": "/static/app.min.js",
			"url.query": "v=3", "url.extension": "js", "http.version": "1.1", "http.response.status_code": 200,
			"http.response.body.bytes": 5120, "http.request.referrer": "https://www.example.org/",
			"user_agent.original": "Mozilla/5.0 (X11; Linux x86_64) Example/1.0", "nginx.access.remote_ip_list": []any{"198.51.100.23"},
			"_absent": []any{"user.name"},
		},
	},
	{
		Name: "nginx address list, escaped quote, 404",
		Line: `10.0.0.2, 203.0.113.50, 10.0.0.1 - alice [06/May/2024:07:08:10 +0000] "POST /login HTTP/2.0" 404 0 "-" "curl \"x\" 8.0"`,
		Want: map[string]any{
			"nginx.access.remote_ip_list": []any{"10.0.0.2", "203.0.113.50", "10.0.0.1"}, "source.address": "203.0.113.50",
			"source.ip": "203.0.113.50", "user.name": "alice", "event.outcome": "failure", "http.response.body.bytes": 0,
			"user_agent.original": `curl \"x\" 8.0`, "_absent": []any{"http.request.referrer", "url.extension"},
		},
	},
	{
		Name:    "apache: '-' bytes, host name, common format",
		Line:    `client.example.net - bob [06/May/2024:07:08:11 -0500] "HEAD http://www.example.com/a/b.html HTTP/1.0" 304 -`,
		Dataset: "log.apache.access",
		Want: map[string]any{
			"@timestamp": "2024-05-06T12:08:11Z", "source.address": "client.example.net", "source.domain": "client.example.net",
			"url.scheme": "http", "url.domain": "www.example.com", "url.path": "/a/b.html", "url.extension": "html",
			"http.response.status_code": 304, "_absent": []any{"http.response.body.bytes", "nginx.access.remote_ip_list", "source.ip"},
		},
	},
	{
		Name:    "syslog tag decides, junk request",
		Line:    `<190>May  6 07:08:12 web1 httpd: 192.0.2.1 - - [06/May/2024:07:08:12 +0000] "\x16\x03\x01" 400 226 "-" "-"`,
		Dataset: "log.apache.access",
		Want: map[string]any{
			"http.response.status_code": 400, "_absent": []any{"http.request.method", "url.original", "user_agent.original"},
		},
	},
	{Name: "bad status", Line: `192.0.2.1 - - [06/May/2024:07:08:12 +0000] "GET / HTTP/1.1" OK 1`, Err: true},
	{Name: "unterminated request", Line: `192.0.2.1 - - [06/May/2024:07:08:12 +0000] "GET / HTTP/1.1 200 1`, Err: true},
	{Name: "cut inside the user agent", Line: `192.0.2.1 - - [06/May/2024:07:08:12 +0000] "GET / HTTP/1.1" 200 1 "-" "Mozilla/5.0 (X11; Lin`, Err: true},
	{Name: "bad time", Line: `192.0.2.1 - - [36/May/2024:07:08:12 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`, Err: true},
}

func TestParse(t *testing.T) {
	normalizetest.Run(t, Parser{}, &normalize.Env{}, cases)
}

func TestDetect(t *testing.T) {
	for line, want := range map[string]bool{
		`192.0.2.1 - - [06/May/2024:07:08:12 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`:                            true,
		`<190>May  6 07:08:12 web1 nginx: 192.0.2.1 - - [06/May/2024:07:08:12 +0000] "GET / HTTP/1.1" 200 1`:   true,
		`192.0.2.1 - [06/May/2024:07:08:12 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`:                              false,
		`<134>May  6 07:08:12 fw kernel: [wan-lan-default-D]IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=52`:     false,
		`1714979289.123     42 10.0.0.5 TCP_MISS/200 5120 GET http://a/ - HIER_DIRECT/1.2.3.4 text/html`:       false,
		`<129>2023-03-01 14:54:44.502 +0100  waf WF ALER X 10.0.0.1 1 10.0.0.2 443 a [P\="x"] POST / "-" "UA"`: false,
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
