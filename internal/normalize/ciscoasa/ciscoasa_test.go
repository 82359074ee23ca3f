package ciscoasa

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up messages in the documented ASA/FTD formats.
var cases = []normalizetest.Case{
	{
		Name: "106023 icmp without ports",
		Line: `<164>Jun  1 2022 08:00:00 edge-fw : %ASA-4-106023: Deny icmp src outside:198.51.100.4 dst inside:10.0.0.9 (type 8, code 0) by access-group "outside_in" [0x0, 0x0]`,
		Want: map[string]any{
			"@timestamp": "2022-06-01T08:00:00Z", "event.action": "firewall-rule", "event.type": []any{"connection", "denied"},
			"source.ip": "198.51.100.4", "destination.ip": "10.0.0.9", "network.transport": "icmp", "network.iana_number": "1",
			"cisco.asa.rule_name": "outside_in", "observer.hostname": "edge-fw", "event.severity": 4, "log.level": "warning",
			"_absent": []any{"source.port", "destination.port"},
		},
		Dataset: "log.cisco_asa",
	},
	{
		Name: "302013 inbound",
		Line: `%ASA-6-302013: Built inbound TCP connection 77 for outside:198.51.100.4/5000 (198.51.100.4/5000)(LOCAL\bob) to dmz:10.0.0.80/443 (203.0.113.80/443)`,
		Want: map[string]any{
			"event.action": "flow-creation", "network.direction": "inbound", "source.ip": "198.51.100.4", "source.port": 5000,
			"destination.ip": "10.0.0.80", "destination.nat.ip": "203.0.113.80", "observer.ingress.interface.name": "outside",
			"observer.egress.interface.name": "dmz", "cisco.asa.connection_id": "77", "source.user.name": "bob",
			"_absent": []any{"source.nat.ip", "destination.nat.port"},
		},
	},
	{
		Name: "302014 teardown with reason",
		Line: `Mar  3 2021 10:00:00: %ASA-6-302014: Teardown TCP connection 78 for outside:198.51.100.4/5000 to dmz:10.0.0.80/443 duration 0:01:40 bytes 12345 TCP FINs from outside`,
		Want: map[string]any{
			"event.action": "flow-expiration", "event.duration": 100_000_000_000, "event.start": "2021-03-03T09:58:20Z",
			"event.end": "2021-03-03T10:00:00Z", "network.bytes": 12345, "event.reason": "TCP FINs from outside",
		},
	},
	{
		Name: "106100 denied",
		Line: `%ASA-6-106100: access-list mgmt denied udp outside/192.0.2.1(123) -> inside/10.0.0.1(123) hit-cnt 3 300-second interval [0x1, 0x0]`,
		Want: map[string]any{
			"event.type": []any{"connection", "denied"}, "cisco.asa.rule_name": "mgmt", "source.port": 123, "network.transport": "udp",
		},
	},
	{
		Name: "106015 no connection",
		Line: `%ASA-6-106015: Deny TCP (no connection) from 10.0.0.5/443 to 192.0.2.9/50000 flags RST  on interface inside`,
		Want: map[string]any{"source.ip": "10.0.0.5", "destination.port": 50000, "observer.ingress.interface.name": "inside", "cisco.asa.tcp_flags": "RST"},
	},
	{
		Name: "605004 login denied",
		Line: `%ASA-6-605004: Login denied from 192.0.2.50/41000 to outside:192.0.2.1/ssh for user "root"`,
		Want: map[string]any{"event.outcome": "failure", "user.name": "root", "network.protocol": "ssh", "event.category": []any{"authentication"}},
	},
	{
		Name: "113005 aaa rejected",
		Line: `%ASA-6-113005: AAA user authentication Rejected : reason = AAA failure : server = 10.0.0.9 : user = carol : user IP = 192.0.2.77`,
		Want: map[string]any{"event.outcome": "failure", "user.name": "carol", "source.ip": "192.0.2.77", "event.reason": "AAA failure"},
	},
	{
		Name: "716001 webvpn",
		Line: `%ASA-6-716001: Group <Staff> User <dave> IP <192.0.2.30> WebVPN session started.`,
		Want: map[string]any{"event.action": "webvpn-session-started", "user.name": "dave", "group.name": "Staff"},
	},
	{
		Name: "unknown id keeps text",
		Line: `%ASA-session-3-999999: Something new happened`,
		Want: map[string]any{"message": "Something new happened", "event.code": "999999", "cisco.asa.suffix": "session", "log.level": "error"},
	},
	{
		Name:    "ftd intrusion",
		Line:    `2022-01-02T03:04:05Z sensor1  %FTD-1-430001: SrcIP: 192.0.2.8, DstIP: 10.0.0.4, SrcPort: 4444, DstPort: 80, Protocol: tcp, AccessControlRuleAction: Block, SignatureID: 1:2000:3, Message: EXAMPLE exploit attempt, Classification: Attempted Administrator Privilege Gain, URL: http://10.0.0.4/a,b.php?x=1`,
		Dataset: "log.cisco_ftd",
		Want: map[string]any{
			"event.kind": "alert", "event.action": "intrusion-detected", "event.type": []any{"denied"}, "rule.id": "1:2000:3",
			"message": "EXAMPLE exploit attempt", "url.path": "/a,b.php", "url.query": "x=1", "url.extension": "php",
			"observer.product": "ftd", "host.hostname": "sensor1",
		},
	},
	{Name: "bad tag", Line: `%ASA-x-106023: Deny`, Err: true},
}

func TestParse(t *testing.T) {
	normalizetest.Run(t, Parser{}, &normalize.Env{Year: 2022}, cases)
}

func TestDetect(t *testing.T) {
	for line, want := range map[string]bool{
		"%ASA-6-302013: Built":       true,
		"<166>:%ASA-6-302013: Built": true,
		"Mar  3 10:00:00 relay Mar 03 2021 10:00:00 fw : %FTD-1-430002: x": true,
		"ASA-6-302013: Built": false,
		"100%ASA-6-302013":    false,
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
	normalize.ParseHeader(cases[1].Line, env, &m)
	b.ReportAllocs()
	for b.Loop() {
		e.Reset()
		_ = Parser{}.Parse(&m, env, &e)
	}
}
