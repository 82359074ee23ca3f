package junipersrx

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up lines in Junos's structured-data layout.
var cases = []normalizetest.Case{
	{
		Name: "session close",
		Line: `<14>1 2024-01-02T03:04:05.250+02:00 srx-a RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@2636.1.1.1.2.40 reason="TCP FIN" source-address="10.1.0.2" source-port="50500" destination-address="192.0.2.80" destination-port="443" service-name="junos-https" nat-source-address="203.0.113.7" nat-source-port="20001" nat-destination-address="192.0.2.80" nat-destination-port="443" protocol-id="6" policy-name="out-web" source-zone-name="trust" destination-zone-name="untrust" session-id-32="42" packets-from-client="10" bytes-from-client="1000" packets-from-server="8" bytes-from-server="5000" elapsed-time="30" application="SSL" username="N/A" packet-incoming-interface="ge-0/0/1.0"]`,
		Want: map[string]any{
			"@timestamp": "2024-01-02T01:04:05.25Z", "event.action": "flow_close", "event.type": []any{"end", "allowed", "connection"},
			"event.duration": 30_000_000_000, "event.start": "2024-01-02T01:04:05.25Z", "event.end": "2024-01-02T01:04:35.25Z",
			"source.nat.ip": "203.0.113.7", "source.nat.port": 20001, "network.bytes": 6000, "network.packets": 18,
			"network.transport": "tcp", "rule.name": "out-web", "juniper.srx.reason": "TCP FIN", "event.severity": 14,
			"log.level": "informational", "observer.name": "srx-a", "network.application": "SSL",
			"_absent": []any{"source.user.name"},
		},
		Dataset: "log.juniper_srx",
	},
	{
		Name: "idp attack",
		Line: `<11>1 2024-01-02T03:05:00Z srx-a RT_IDP - IDP_ATTACK_LOG_EVENT [junos@2636.1.1.1.2.40 source-address="198.51.100.9" source-port="4444" destination-address="10.1.0.9" destination-port="80" protocol-name="TCP" attack-name="HTTP:EXAMPLE-ATTACK" threat-severity="HIGH" action="DROP" message="HTTP:EXAMPLE-ATTACK"]`,
		Want: map[string]any{
			"event.kind": "alert", "rule.name": "HTTP:EXAMPLE-ATTACK", "event.type": []any{"denied"}, "network.transport": "tcp",
			"log.level": "error", "event.action": "idp_attack_log_event",
		},
	},
	{
		Name: "no junos sd",
		Line: `<14>1 2024-01-02T03:04:05Z srx-a RT_FLOW - RT_FLOW_SESSION_CLOSE [other@1 a="b"]`,
		Err:  true,
	},
}

func TestParse(t *testing.T) {
	normalizetest.Run(t, Parser{}, &normalize.Env{}, cases[:2])
	var m normalize.Message
	var e normalize.Event
	normalize.ParseHeader(cases[2].Line, &normalize.Env{}, &m)
	if (Parser{}).Detect(&m) {
		t.Error("Detect accepts a line without junos@ data")
	}
	if err := (Parser{}).Parse(&m, &normalize.Env{}, &e); err == nil {
		t.Error("Parse accepts a line without junos@ data")
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
