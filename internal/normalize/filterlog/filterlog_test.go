package filterlog

import (
	"testing"
	"time"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up lines in the filterlog CSV layout and the dhcpd/unbound texts.
var cases = []normalizetest.Case{
	{
		Name: "ipv4 tcp pass out",
		Line: "<134>Feb  5 06:07:08 fw1.example.net filterlog[555]: 10,,,1700000001,em0,match,pass,out,4,0x10,,64,4242,0,DF,6,tcp,52,192.0.2.10,198.51.100.20,40001,443,0,S,12345,,65535,,mss",
		Want: map[string]any{
			"@timestamp": "2024-02-05T06:07:08Z", "event.action": "pass", "event.type": []any{"connection", "allowed"},
			"network.direction": "outbound", "network.type": "ipv4", "network.transport": "tcp", "network.iana_number": "6",
			"network.bytes": 52, "source.ip": "192.0.2.10", "source.port": 40001, "destination.port": 443, "rule.id": "1700000001",
			"pfsense.tcp.flags": "S", "process.pid": 555, "observer.name": "fw1.example.net",
			"_absent": []any{"observer.ingress.vlan.id"},
		},
		Dataset: "log.pfsense.filterlog",
	},
	{
		Name: "ipv6 icmp block",
		Line: "<134>Feb  5 06:07:09 filterlog[555]: 5,,,1000000003,igb0.100,match,block,in,6,0x00,0x00000,255,ipv6-icmp,58,32,2001:db8::1,2001:db8::2,request,7,1",
		Want: map[string]any{
			"network.type": "ipv6", "network.transport": "ipv6-icmp", "pfsense.icmp.type": "request", "pfsense.icmp.seq": "1",
			"observer.ingress.vlan.id": "100", "event.type": []any{"connection", "denied"}, "_absent": []any{"observer.name", "source.port"},
		},
	},
	{
		Name: "dhcp ack",
		Line: "<190>Feb  5 06:07:10 fw1 dhcpd[9]: DHCPACK on 10.0.0.50 to aa:bb:cc:dd:ee:ff (laptop) via em1",
		Want: map[string]any{
			"event.action": "DHCPACK", "client.ip": "10.0.0.50", "source.mac": "AA-BB-CC-DD-EE-FF",
			"observer.ingress.interface.name": "em1", "network.protocol": "dhcp",
		},
		Dataset: "log.pfsense.dhcpd",
	},
	{
		Name: "unbound query",
		Line: "<30>Feb  5 06:07:11 fw1 unbound[7]: [7:0] info: 10.0.0.50 www.example.co.uk. AAAA IN",
		Want: map[string]any{
			"dns.question.name": "www.example.co.uk", "dns.question.registered_domain": "example.co.uk",
			"dns.question.type": "AAAA", "source.ip": "10.0.0.50", "log.level": "info",
		},
	},
	{Name: "bad ip version", Line: "<134>Feb  5 06:07:08 filterlog[1]: 1,,,2,em0,match,pass,in,5,a,b,c,d,e,f,g,h", Err: true},
	{Name: "short", Line: "<134>Feb  5 06:07:08 filterlog[1]: 1,,,2,em0", Err: true},
}

func TestParse(t *testing.T) {
	normalizetest.Run(t, Parser{}, &normalize.Env{Year: 2024, Location: time.UTC}, cases)
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
