package cef

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up CEF lines.
var cases = []normalizetest.Case{
	{
		Name: "escapes and typed extensions",
		Line: `<13>Jan 18 11:07:53 relay CEF:0|Acme|Fire\|Wall|2.1|100|Blocked \\ traffic|8|src=10.0.0.1 spt=1234 dst=192.0.2.9 dpt=80 proto=TCP act=blocked msg=rule a\=b matched\nnext line rt=1705576073000 cs1Label=policy cs1=Outbound Web deviceDirection=1 customKey=some value smac=00:11:22:33:44:55`,
		Want: map[string]any{
			"cef.device.product": "Fire|Wall", "cef.name": `Blocked \ traffic`, "event.severity": 8, "event.code": "100",
			"observer.product": "Fire|Wall", "source.ip": "10.0.0.1", "source.port": 1234, "destination.port": 80,
			"network.transport": "tcp", "event.action": "blocked", "message": "rule a=b matched\nnext line",
			"cef.extensions.message": "rule a=b matched\nnext line", "@timestamp": "2024-01-18T11:07:53Z",
			"cef.extensions.deviceCustomString1Label": "policy", "cef.extensions.deviceCustomString1": "Outbound Web",
			"network.direction": "outbound", "cef.extensions.customKey": "some value", "source.mac": "00-11-22-33-44-55",
			"cef.extensions.deviceReceiptTime": "2024-01-18T11:07:53Z",
		},
		Dataset: "log.cef",
	},
	{
		Name: "named severity, no extensions",
		Line: `CEF:1|V|P|1|sig-1|Name only|Very-High|`,
		Want: map[string]any{"event.severity": 9, "message": "Name only", "cef.version": "1", "_absent": []any{"source.ip"}},
	},
	{
		Name: "bad value types stay strings",
		Line: `CEF:0|V|P|1|2|n|3|spt=http slat=north src=not-an-ip`,
		Want: map[string]any{"cef.extensions.sourcePort": "http", "cef.extensions.sourceGeoLatitude": "north", "_absent": []any{"source.port", "source.ip"}},
	},
	{Name: "short header", Line: `CEF:0|V|P|1|2`, Err: true},
}

var leefCases = []normalizetest.Case{
	{
		Name:    "leef 1.0 tabs",
		Line:    "<13>Jan 18 11:07:53 fw LEEF:1.0|Acme|IPS|3.0|4711|src=198.51.100.1\tdst=10.0.0.2\tsrcPort=4444\tdstPort=22\tproto=TCP\tusrName=root\tsev=7\tdevTime=1705576073000\tpolicy=ssh-brute\tcustom=x y",
		Dataset: "log.leef",
		Want: map[string]any{
			"observer.vendor": "Acme", "event.code": "4711", "source.ip": "198.51.100.1", "destination.port": 22,
			"network.transport": "tcp", "user.name": "root", "event.severity": 7, "@timestamp": "2024-01-18T11:07:53Z",
			"rule.name": "ssh-brute", "leef.custom": "x y",
		},
	},
	{
		Name: "leef 2.0 caret",
		Line: "LEEF:2.0|Acme|FW|1|deny|^|src=10.0.0.1^dst=10.0.0.2^srcPostNAT=203.0.113.1^proto=6^devTime=Jan 18 2024 11:07:53^action=deny",
		Want: map[string]any{
			"source.nat.ip": "203.0.113.1", "network.iana_number": "6", "event.action": "deny", "@timestamp": "2024-01-18T11:07:53Z",
		},
	},
	{
		Name: "leef 2.0 hex delimiter",
		Line: "LEEF:2.0|Acme|FW|1|allow|x7C|src=10.0.0.1|dst=10.0.0.3",
		Want: map[string]any{"destination.ip": "10.0.0.3"},
	},
}

func TestParse(t *testing.T) {
	env := &normalize.Env{Year: 2024}
	normalizetest.Run(t, Parser{}, env, cases)
	normalizetest.Run(t, LEEF{}, env, leefCases)
}

func TestDetect(t *testing.T) {
	for line, want := range map[string][2]bool{ // {cef, leef}
		`CEF:0|a|b|c|d|e|1|`:                    {true, false},
		`Jan 18 11:07:53 h CEF:0|a|b|c|d|e|1|x`: {true, false},
		`host1 CEF:0|a|b|c|d|e|1|x`:             {true, false},
		`xCEF:0|a`:                              {false, false},
		`LEEF:1.0|a|b|c|d|`:                     {false, true},
		`LEEF:3.0|a|b|c|d|`:                     {false, false},
	} {
		var m normalize.Message
		normalize.ParseHeader(line, &normalize.Env{}, &m)
		if got := [2]bool{Parser{}.Detect(&m), LEEF{}.Detect(&m)}; got != want {
			t.Errorf("Detect(%q) = %v, want %v", line, got, want)
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
