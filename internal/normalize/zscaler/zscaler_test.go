package zscaler

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up NSS records (documentation addresses, invented users).
var cases = []normalizetest.Case{
	{
		Name: "web allowed with internal address",
		Line: `{ "sourcetype" : "zscalernss-web", "event" :{"time":"Mon May  6 07:08:09 2024","login":"gina@example.com","proto":"HTTPS","eurl":"files.example.net/docs/report.pdf?dl=1",` +
			`"action":"Allowed","appname":"General Browsing","appclass":"General Browsing","reqsize":"812","respsize":"20480","urlclass":"Business Use",` +
			`"urlsupercat":"Information Technology","urlcat":"File Host","malwarecat":"None","threatname":"None","riskscore":"12","location":"HQ","dept":"Finance",` +
			`"cip":"203.0.113.50","cintip":"10.20.30.40","sip":"198.51.100.9","reqmethod":"GET","respcode":"200","ua":"Mozilla/5.0","ereferer":"None",` +
			`"ruletype":"URLCat","rulelabel":"Allow files","contenttype":"application/pdf","deviceowner":"gina","devicehostname":"LAPTOP-17"}}`,
		Dataset: "log.zscaler.web",
		Want: map[string]any{
			"@timestamp": "2024-05-06T07:08:09Z", "event.kind": "event", "event.category": []any{"web"}, "event.type": []any{"info"},
			"event.action": "allowed", "event.risk_score": 12, "source.ip": "10.20.30.40", "source.nat.ip": "203.0.113.50",
			"destination.ip": "198.51.100.9", "user.email": "gina@example.com", "user.name": "gina", "source.user.name": "gina",
			"network.protocol": "https", "http.request.method": "GET", "http.request.bytes": 812, "http.response.bytes": 20480,
			"http.response.status_code": 200, "http.request.mime_type": "application/pdf", "url.original": "files.example.net/docs/report.pdf?dl=1",
			"url.domain": "files.example.net", "url.extension": "pdf", "rule.name": "Allow files", "rule.ruleset": "URLCat",
			"zscaler_zia.web.url.category.sub": "File Host", "zscaler_zia.web.department": "Finance", "host.name": "LAPTOP-17",
			"_absent": []any{"http.request.referrer", "zscaler_zia.web.threat.name"},
		},
	},
	{
		Name:    "firewall block",
		Line:    `{"sourcetype":"zscalernss-fw","event":{"time":"Mon May  6 07:09:00 2024","login":"hank@example.com","csip":"10.20.30.41","csport":"50123","cdip":"192.0.2.77","cdport":"3389","cdfqdn":"rdp.example.org","proto":"TCP","action":"Block","rulelabel":"Block RDP"}}`,
		Dataset: "log.zscaler.firewall",
		Want: map[string]any{
			"event.category": []any{"network"}, "event.type": []any{"connection", "denied"}, "source.port": 50123,
			"destination.ip": "192.0.2.77", "destination.domain": "rdp.example.org", "network.transport": "tcp", "event.action": "block",
		},
	},
	{Name: "no event", Line: `{"sourcetype":"zscalernss-web"}`, Err: true},
	{Name: "truncated", Line: `{"sourcetype":"zscalernss-web","event":{"time":"Mon May  6 07:09:00 2024","login":"x`, Err: true},
	{Name: "event not an object", Line: `{"sourcetype":"zscalernss-web","event":"x"}`, Err: true},
}

func TestParse(t *testing.T) {
	normalizetest.Run(t, Parser{}, &normalize.Env{}, cases)
}

func TestDetect(t *testing.T) {
	for line, want := range map[string]bool{
		`{"sourcetype":"zscalernss-dns","event":{}}`:                true,
		`{"timestamp":"2024-05-06T07:10:00Z","event_type":"alert"}`: false,
		`sourcetype=zscalernss-web action=Blocked`:                  false,
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
		if err := (Parser{}).Parse(&m, env, &e); err != nil {
			b.Fatal(err)
		}
	}
}
