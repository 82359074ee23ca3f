package iptables

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up netfilter lines.
var cases = []normalizetest.Case{
	{
		Name: "log prefix accept udp",
		Line: `<4>May  6 07:08:09 gw1 kernel: [ 1234.567890] FW-ACCEPT: IN=eth1 OUT=eth0 MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:08:00 SRC=10.0.0.5 DST=198.51.100.53 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=1234 PROTO=UDP SPT=40000 DPT=53 LEN=40 MARK=0x1`,
		Want: map[string]any{
			"@timestamp": "2024-05-06T07:08:09Z", "event.action": "fw-accept", "event.type": []any{"allowed", "connection"},
			"iptables.input_device": "eth1", "iptables.output_device": "eth0", "destination.mac": "00-11-22-33-44-55",
			"source.mac": "66-77-88-99-AA-BB", "iptables.length": 60, "iptables.udp.length": 40, "network.transport": "udp",
			"source.port": 40000, "destination.port": 53, "observer.name": "gw1", "_absent": []any{"iptables.fragment_flags"},
		},
		Dataset: "log.iptables",
	},
	{
		Name: "ipv6 reject ubiquiti",
		Line: `Jun  1 00:00:01 er-x kernel: [WAN_LOCAL-20-R]IN=eth0 OUT= MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:86:dd SRC=2001:db8::1 DST=2001:db8::2 LEN=80 TC=0 HOPLIMIT=57 FLOWLBL=0 PROTO=TCP SPT=1 DPT=22 WINDOW=64800 RES=0x00 SYN URGP=0`,
		Want: map[string]any{
			"event.action": "reject", "event.type": []any{"denied", "connection"}, "network.type": "ipv6", "iptables.ttl": 57,
			"rule.name": "WAN_LOCAL", "rule.id": "20", "iptables.tcp.flags": []any{"SYN"}, "iptables.output_device": "",
			"_absent": []any{"observer.ingress.zone"},
		},
	},
	{
		Name: "no prefix, nested icmp payload",
		Line: `IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 LEN=56 TTL=60 ID=0 PROTO=ICMP TYPE=3 CODE=1 [SRC=192.0.2.2 DST=192.0.2.99 LEN=28 PROTO=UDP SPT=5 DPT=6 ]`,
		Want: map[string]any{
			"event.type": []any{"connection"}, "source.ip": "192.0.2.1", "destination.ip": "192.0.2.2", "iptables.icmp.code": 1,
			"_absent": []any{"event.action", "source.port", "destination.port"},
		},
	},
}

func TestParse(t *testing.T) {
	normalizetest.Run(t, Parser{}, &normalize.Env{Year: 2024}, cases)
}

func TestDetect(t *testing.T) {
	for line, want := range map[string]bool{
		cases[0].Line:                          true,
		`kernel: LOGIN=alice OUT= SRC=1.1.1.1`: false,
		`IN=eth0 SRC=1.1.1.1`:                  false,
		`CEF:0|a|b|c|d|e|1|src=1.1.1.1`:        false,
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
