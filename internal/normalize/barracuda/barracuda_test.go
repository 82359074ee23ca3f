package barracuda

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up lines in the WAF's positional layouts.
var cases = []normalizetest.Case{
	{
		Name: "wf deny with details and query",
		Line: `<129>2024-04-05 06:07:08.009 +0200  waf-1 WF CRIT SQL_INJECTION 198.51.100.7 50123 192.0.2.10 443 shop:login_url URL_PROFILE DENY NONE [param\="user" value\="' or 1\=1 -- \\]"] POST /login.php?next=/ TLSv1.3 "-" "curl/8.0" 198.51.100.7 50123 "-" "https://shop.example/" 18a1b2c3d4e-0f0f0f0f`,
		Want: map[string]any{
			"@timestamp": "2024-04-05T04:07:08.009Z", "event.created": "2024-04-05T04:07:08.009Z", "event.action": "DENY",
			"barracuda.waf.severity_level": "CRIT", "barracuda.waf.attack_description": "SQL_INJECTION",
			"barracuda.waf.attack_details": `param\="user" value\="' or 1\=1 -- \\]"`, "url.path": "/login.php", "url.query": "next=/",
			"http.request.method": "POST", "user_agent.original": "curl/8.0", "http.request.referrer": "https://shop.example/",
			"client.port": 50123, "destination.ip": "192.0.2.10", "user.id": "18a1b2c3d4e-0f0f0f0f", "barracuda.waf.unit_name": "waf-1",
			"_absent": []any{"barracuda.waf.authenticated_user"},
		},
		Dataset: "log.barracuda.waf",
	},
	{
		Name: "wf without details",
		Line: `<129>2024-04-05 06:07:09.000 +0000  waf-1 WF WARN NO_DOMAIN_MATCH_IN_PROFILE 198.51.100.8 1 192.0.2.10 80 web GLOBAL LOG NONE ["-"] GET / HTTP/1.1`,
		Want: map[string]any{"_absent": []any{"barracuda.waf.attack_details", "user.id"}, "http.request.method": "GET"},
	},
	{
		Name:    "tr access",
		Line:    `<134>2024-04-05 06:07:10.000 +0000  waf-1 TR 192.0.2.10 443 198.51.100.9 40000 "bob" "-" GET HTTPS shop.example HTTP/1.1 200 5120 340`,
		Dataset: "log.barracuda.access",
		Want:    map[string]any{"http.response.status_code": 200, "user.name": "bob", "url.domain": "shop.example", "http.version": "1.1"},
	},
}

func TestParse(t *testing.T) {
	normalizetest.Run(t, Parser{}, &normalize.Env{}, cases)
}

func TestDetect(t *testing.T) {
	for line, want := range map[string]bool{
		cases[0].Line: true,
		cases[2].Line: true,
		`<129>2024-04-05 06:07:08.009 +0200  waf-1 WF XXXX SQL`: false,
		`WF ALER X 1.1.1.1`: false, // no unit name
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
