package checkpoint

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up lines in the Log Exporter's syslog layout.
var cases = []normalizetest.Case{
	{
		Name: "drop with nat",
		Line: `<134>1 2024-02-03T04:05:06Z gw1 CheckPoint 77 - [action:"Drop"; ifdir:"inbound"; ifname:"eth1"; loguid:"{0x1,0x2}"; origin:"10.9.9.9"; sequencenum:"5"; product:"VPN-1 & FireWall-1"; src:"198.51.100.3"; dst:"10.0.0.5"; proto:"6"; s_port:"40000"; service:"22"; service_id:"ssh"; rule_name:"block \"ssh\" [ext\]"; xlatedst:"192.0.2.5"; xlatedport:"2222"; xlatesrc:"0.0.0.0"; xlatesport:"0"; src_user_name:"eve"; custom_field:"x"]`,
		Want: map[string]any{
			"@timestamp": "2024-02-03T04:05:06Z", "event.action": "Drop", "event.type": []any{"denied", "connection"},
			"event.outcome": "failure", "network.direction": "inbound", "observer.ingress.interface.name": "eth1",
			"source.ip": "198.51.100.3", "destination.port": 22, "destination.nat.ip": "192.0.2.5", "destination.nat.port": 2222,
			"network.transport": "tcp", "rule.name": `block "ssh" [ext]`, "user.name": "eve", "checkpoint.custom_field": "x",
			"event.sequence": 5, "_absent": []any{"source.nat.ip", "source.nat.port"},
		},
		Dataset: "log.checkpoint.firewall",
	},
	{
		Name: "system message",
		Line: `<134>1 2024-02-03T04:05:07Z gw1 CheckPoint 77 - [flags:"1"; ifdir:"inbound"; origin:"10.9.9.9"; product:"System Monitor"; sys_message::"cpd started"]`,
		Want: map[string]any{"checkpoint.sys_message": "cpd started", "observer.product": "System Monitor", "_absent": []any{"event.type"}},
	},
	{
		Name: "unterminated value",
		Line: `<134>1 2024-02-03T04:05:08Z gw1 CheckPoint 77 - [action:"Accept"; comment:"cut here`,
		Want: map[string]any{"checkpoint.comment": "cut here", "event.outcome": "success"},
	},
	{Name: "no pairs", Line: `<134>1 2024-02-03T04:05:08Z gw1 CheckPoint 77 - [nothing here]`, Err: true},
}

func TestParse(t *testing.T) {
	normalizetest.Run(t, Parser{}, &normalize.Env{}, cases[:3])
	var m normalize.Message
	var e normalize.Event
	normalize.ParseHeader(cases[3].Line, &normalize.Env{}, &m)
	if err := (Parser{}).Parse(&m, &normalize.Env{}, &e); err == nil {
		t.Error("a line without pairs parsed")
	}
}

func TestDetect(t *testing.T) {
	for line, want := range map[string]bool{
		`<134>1 2024-02-03T04:05:06Z gw1 CheckPoint 77 - [action:"Drop"]`:     true,
		`<134>1 2024-02-03T04:05:06Z gw1 other 77 - [sys_message::"x"]`:       true,
		`<134>1 2024-02-03T04:05:06Z gw1 RT_FLOW - X [junos@2636 a="1"]`:      false,
		`<6>2021-03-12T14:10:18Z Hostname kernel: [wan-lan-default-D]IN=eth0`: false,
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
