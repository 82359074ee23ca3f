package fortigate

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up lines in FortiOS's key=value layout.
var cases = []normalizetest.Case{
	{
		Name:    "traffic accept",
		Line:    `<189>date=2024-05-06 time=07:08:09 devname="fw-a" devid="FGT60F0000000001" logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" eventtime=1714979289123456789 tz="+0200" srcip=10.0.0.5 srcport=50123 srcintf="internal" srcintfrole="lan" dstip=198.51.100.20 dstport=443 dstintf="wan1" dstintfrole="wan" sessionid=99 proto=6 action="close" policyid=4 policytype="policy" service="HTTPS" transip=203.0.113.2 transport=50123 duration=12 sentbyte=1500 rcvdbyte=9000 sentpkt=10 rcvdpkt=12 appcat="Web.Client"`,
		Dataset: "log.fortigate.traffic",
		Want: map[string]any{
			"@timestamp": "2024-05-06T05:08:09Z", "event.start": "2024-05-06T07:08:09.123Z", "event.timezone": "+0200",
			"event.type": []any{"connection", "end", "allowed"}, "event.action": "close", "event.duration": 12_000_000_000,
			"event.code": "0000000013", "source.ip": "10.0.0.5", "source.nat.ip": "203.0.113.2", "source.nat.port": 50123,
			"source.bytes": 1500, "destination.bytes": 9000, "network.bytes": 10500, "source.packets": 10,
			"destination.packets": 12, "network.transport": "tcp", "network.iana_number": "6", "network.protocol": "https",
			"network.direction": "outbound", "rule.id": "4", "rule.ruleset": "policy", "rule.category": "Web-Client",
			"observer.name": "fw-a", "observer.serial_number": "FGT60F0000000001", "observer.ingress.interface.name": "internal",
		},
	},
	{
		Name:    "utm ips",
		Line:    `date=2024-05-06 time=07:10:00 devname="fw-a" devid="FGT1" logid="0419016384" type="utm" subtype="ips" eventtype="signature" level="alert" srcip=198.51.100.9 dstip=10.0.0.7 srcport=4444 dstport=80 proto=6 action="dropped" attack="Example.Exploit" attackid=12345 direction="incoming" msg="web_server: Example.Exploit,"`,
		Dataset: "log.fortigate.utm",
		Want: map[string]any{
			"@timestamp": "2024-05-06T07:10:00Z", "event.kind": "alert", "event.category": []any{"network", "intrusion_detection"},
			"event.type": []any{"denied"}, "event.action": "signature", "rule.name": "Example.Exploit",
			"network.direction": "inbound", "message": "web_server: Example.Exploit,",
		},
	},
	{
		Name: "utm dns",
		Line: `date=2024-05-06 time=07:11:00 devname="fw-a" devid="FGT1" logid="1501054802" type="utm" subtype="dns" eventtype="dns-response" srcip=10.0.0.5 dstip=10.0.0.1 proto=17 xid=77 qname="www.example.co.uk" qtype="AAAA" qclass="IN" ipaddr="2001:db8::1, 2001:db8::2" action="pass"`,
		Want: map[string]any{
			"event.type": []any{"info", "allowed"}, "dns.id": "77", "dns.question.registered_domain": "example.co.uk",
			"dns.resolved_ip": []any{"2001:db8::1", "2001:db8::2"}, "network.transport": "udp",
		},
	},
	{
		Name:    "event login failed",
		Line:    `date=2024-05-06 time=07:12:00 devname="fw-a" devid="FGT1" logid="0100032002" type="event" subtype="system" level="alert" logdesc="Admin login failed" user="admin" action="login" status="failed" reason="passwd_invalid" msg="Administrator admin login failed"`,
		Dataset: "log.fortigate.event",
		Want: map[string]any{
			"event.action": "login", "event.outcome": "failure", "event.reason": "passwd_invalid",
			"source.user.name": "admin", "event.category": []any{"host"},
		},
	},
	{Name: "no fields", Line: `date=2024-05-06 time=07:12:00 devid="x" foo=bar`, Err: true},
}

func TestParse(t *testing.T) {
	normalizetest.Run(t, Parser{}, &normalize.Env{}, cases)
}

func TestDetect(t *testing.T) {
	for line, want := range map[string]bool{
		`date=2024-05-06 time=07:12:00 devname="a" devid="b" logid="1"`:    true,
		`logver=700 timestamp=1 devname="a" devid="b"`:                     true,
		`device="SFW" date=2017-01-31 time=14:16:19 log_id=010101600001`:   false,
		`date=2024-05-06 time=07:12:00 something else`:                     false,
		`id=firewall sn=000SERIAL time="2007-01-03 14:48:06" fw=1.128.3.4`: false,
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
