package panos

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up lines in PAN-OS's CSV layout.
var cases = []normalizetest.Case{
	{
		Name:    "traffic end",
		Line:    "<14>Mar  2 10:00:01 fw-lab 1,2023/03/02 10:00:00,001122334455,TRAFFIC,end,2561,2023/03/02 10:00:00,10.1.1.5,198.51.100.7,203.0.113.9,198.51.100.7,allow-web,CORP\\alice,,web-browsing,vsys1,inside,outside,ethernet1/3,ethernet1/4,fwd,2023/03/02 10:00:00,4242,1,51000,80,40000,80,0x400053,tcp,allow,3000,1000,2000,20,2023/03/02 09:59:50,10,news,0,77,0x0,10.0.0.0-10.255.255.255,Testland,0,8,12,tcp-fin,0,0,0,0,,fw-lab-dev,from-policy",
		Dataset: "log.panos.traffic",
		Want: map[string]any{
			"@timestamp": "2023-03-02T10:00:00Z", "event.kind": "event", "event.category": []any{"network"},
			"event.type": []any{"allowed", "end", "connection"}, "event.action": "flow_terminated", "event.outcome": "success",
			"event.duration": 10_000_000_000, "source.ip": "10.1.1.5", "source.port": 51000, "source.nat.ip": "203.0.113.9",
			"source.nat.port": 40000, "source.bytes": 1000, "source.packets": 8, "destination.ip": "198.51.100.7",
			"destination.port": 80, "destination.bytes": 2000, "destination.packets": 12, "network.bytes": 3000,
			"network.packets": 20, "network.transport": "tcp", "network.type": "ipv4", "network.application": "web-browsing",
			"source.user.name": "alice", "source.user.domain": "CORP", "rule.name": "allow-web",
			"observer.hostname": "fw-lab-dev", "observer.serial_number": "001122334455", "observer.ingress.zone": "inside",
			"observer.egress.interface.name": "ethernet1/4", "panw.panos.endreason": "tcp-fin",
			"_absent": []any{"destination.user.name"},
		},
	},
	{
		Name:    "traffic deny ipv6 without nat",
		Line:    "1,2023/03/02 11:00:00,001122334455,TRAFFIC,deny,2561,2023/03/02 11:00:00,2001:db8::5,2001:db8:1::7,::,::,deny-all,,,not-applicable,vsys1,inside,outside,ethernet1/3,,fwd,2023/03/02 11:00:00,0,1,51001,22,0,0,0x0,tcp,deny,60,60,0,1,2023/03/02 11:00:00,0,any,0,78,0x0,US,US,0,1,0,policy-deny",
		Dataset: "log.panos.traffic",
		Want: map[string]any{
			"event.type": []any{"denied", "connection"}, "event.action": "flow_denied", "network.type": "ipv6",
			"source.ip": "2001:db8::5", "_absent": []any{"source.nat.ip", "source.nat.port", "observer.egress.interface.name"},
		},
	},
	{
		Name:    "threat virus",
		Line:    "Mar  2 10:05:00 fw-lab 1,2023/03/02 10:05:00,001122334455,THREAT,virus,2561,2023/03/02 10:05:00,198.51.100.7,10.1.1.5,198.51.100.7,10.1.1.5,allow-web,,,web-browsing,vsys1,outside,inside,ethernet1/4,ethernet1/3,fwd,2023/03/02 10:05:00,4243,1,80,51002,0,0,0x0,tcp,reset-both,\"bad,file.exe\",Eicar Test File(100000),any,high,server-to-client,90,0x0,US,10.0.0.0-10.255.255.255,0,application/x-msdownload",
		Dataset: "log.panos.threat",
		Want: map[string]any{
			"event.kind": "alert", "event.action": "virus_detected", "event.type": []any{"denied"}, "event.outcome": "failure",
			"event.severity": 2, "log.level": "high", "network.direction": "outbound", "panw.panos.threat.id": "100000",
			"panw.panos.threat.name": "Eicar Test File", "panw.panos.file.name": "bad,file.exe", "observer.hostname": "fw-lab",
			"source.nat.ip": "198.51.100.7", "_absent": []any{"url.original"},
		},
	},
	{
		Name:    "threat url with scheme",
		Line:    "1,2023/03/02 10:06:00,001122334455,THREAT,url,2561,2023/03/02 10:06:00,10.1.1.5,198.51.100.8,0.0.0.0,0.0.0.0,web,,,ssl,vsys1,inside,outside,ethernet1/3,ethernet1/4,fwd,2023/03/02 10:06:00,4244,1,51003,443,0,0,0x0,tcp,alert,\"https://example.org:8443/a/b?x=1\",(9999),news,informational,client-to-server,91",
		Dataset: "log.panos.threat",
		Want: map[string]any{
			"event.action": "url_filtering", "event.type": []any{"allowed"}, "url.scheme": "https", "url.domain": "example.org",
			"url.port": 8443, "url.path": "/a/b", "url.query": "x=1", "panw.panos.threat.name": "URL-filtering",
			"event.severity": 5,
		},
	},
	{
		Name:    "system",
		Line:    "1,2023/03/02 10:07:00,001122334455,SYSTEM,general,2561,2023/03/02 10:07:00,,general,,0,0,general,informational,\"User admin logged in\",1,0x0",
		Dataset: "log.panos.other",
		Want:    map[string]any{"event.action": "general", "panw.panos.type": "SYSTEM", "@timestamp": "2023-03-02T10:07:00Z"},
	},
	{
		Name: "truncated traffic",
		Line: "1,2023/03/02 10:00:00,001122334455,TRAFFIC,end,2561,2023/03/02 10:00:00,10.1.1.5",
		Err:  true,
	},
}

func TestParse(t *testing.T) {
	normalizetest.Run(t, Parser{}, &normalize.Env{Year: 2023}, cases)
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		line string
		want bool
	}{
		{"1,2023/03/02 10:00:00,001122334455,TRAFFIC,end", true},
		{"Mar  2 10:00:01 fw 1,2023/03/02 10:00:00,0011,THREAT,url,", true},
		{"1,2023-03-02 10:00:00,0011,TRAFFIC,end", false},
		{"12345,2023/03/02 10:00:00,0011,TRAFFIC,end", false},
		{"1,2023/03/02 10:00:00,0011,traffic,end", false},
		{"CEF:0|Palo Alto Networks|PAN-OS|", false},
	} {
		var m normalize.Message
		normalize.ParseHeader(tc.line, &normalize.Env{}, &m)
		if got := (Parser{}).Detect(&m); got != tc.want {
			t.Errorf("Detect(%q) = %v", tc.line, got)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	var m normalize.Message
	var e normalize.Event
	env := &normalize.Env{Year: 2023}
	normalize.ParseHeader(cases[0].Line, env, &m)
	b.ReportAllocs()
	for b.Loop() {
		e.Reset()
		_ = Parser{}.Parse(&m, env, &e)
	}
}
