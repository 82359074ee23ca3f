package sonicwall

import (
	"testing"
	"time"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up lines in the SonicOS enhanced-syslog layout.
var cases = []normalizetest.Case{
	{
		Name: "connection closed with nat",
		Line: `<134>Mar  4 05:06:07 10.0.0.1 id=edge sn=0017C5000001 time="2024-03-04 05:06:07" fw=203.0.113.1 pri=6 c=1024 m=537 msg="Connection Closed" n=100 src=10.0.0.20:51000:X0 dst=198.51.100.30:443:X1 natSrc=203.0.113.1:40000 proto=tcp/https sent=1200 rcvd=3400 spkt=10 rpkt=12 usr="alice"`,
		Want: map[string]any{
			"@timestamp": "2024-03-04T04:06:07Z", "event.timezone": "+01:00", "event.action": "connection-end",
			"event.type": []any{"connection", "end"}, "event.code": "537", "event.sequence": "100", "event.severity": "6",
			"log.level": "info", "source.nat.ip": "203.0.113.1", "source.nat.port": 40000, "network.protocol": "https",
			"network.transport": "tcp", "network.bytes": 4600, "source.packets": 10, "user.name": "alice",
			"observer.ingress.interface.name": "X0", "observer.egress.interface.name": "X1", "observer.ip": "203.0.113.1",
		},
		Dataset: "log.sonicwall.firewall",
	},
	{
		Name: "web site hit",
		Line: `id=edge sn=0017C5000001 time="2024-03-04 05:06:08" fw=203.0.113.1 pri=6 c=1024 m=97 msg="Web site hit" n=101 src=10.0.0.20:51001:X0 dst=198.51.100.31:80:X1 proto=tcp/http dstname=www.example.com arg=/index.html`,
		Want: map[string]any{"event.action": "web-request", "url.domain": "www.example.com", "url.path": "/index.html"},
	},
	{
		Name: "user login ok",
		Line: `id=edge sn=1 time="2024-03-04 05:06:09" fw=203.0.113.1 pri=5 c=32 m=1080 msg="User login successful" n=102 src=10.0.0.21:0:X0 usr="bob"`,
		Want: map[string]any{"event.action": "login-success", "event.outcome": "success", "event.category": []any{"authentication"}, "log.level": "notice"},
	},
	{
		Name: "dropped",
		Line: `id=edge sn=1 time="2024-03-04 05:06:10" fw=203.0.113.1 pri=1 c=32 m=36 msg="TCP packet dropped" n=103 src=198.51.100.2:1:X1 dst=203.0.113.1:23:X1 proto=tcp/telnet`,
		Want: map[string]any{"event.type": []any{"connection", "denied"}, "log.level": "alert"},
	},
	{Name: "no id", Line: `id=edge sn=1 time="2024-03-04 05:06:10"`, Err: true},
}

func TestParse(t *testing.T) {
	normalizetest.Run(t, Parser{}, &normalize.Env{Location: time.FixedZone("", 3600)}, cases[:4])
	var m normalize.Message
	var e normalize.Event
	normalize.ParseHeader(cases[4].Line, &normalize.Env{}, &m)
	if err := (Parser{}).Parse(&m, &normalize.Env{}, &e); err == nil {
		t.Error("a line without m= parsed")
	}
}

func TestSplitAddr(t *testing.T) {
	for in, want := range map[string][3]string{
		"10.0.0.1:80:X0":       {"10.0.0.1", "80", "X0"},
		"10.0.0.1:80:X0:host":  {"10.0.0.1", "80", "X0"},
		"10.0.0.1":             {"10.0.0.1", "", ""},
		"[2001:db8::1]:443:X1": {"2001:db8::1", "443", "X1"},
		"2001:db8:0:0:0:0:0:1": {"2001:db8:0:0:0:0:0:1", "", ""},
	} {
		ip, port, iface := splitAddr(in)
		if [3]string{ip, port, iface} != want {
			t.Errorf("splitAddr(%q) = %q %q %q", in, ip, port, iface)
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
