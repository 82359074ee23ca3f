package zeek

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up Zeek JSON records (documentation addresses, invented uids).
var cases = []normalizetest.Case{
	{
		Name: "conn tcp rejected, inbound",
		Line: `{"ts":1714979289.123456,"uid":"CzzT1o2yYJ4Y9cJ5ak","id.orig_h":"203.0.113.9","id.orig_p":40001,"id.resp_h":"10.1.2.3","id.resp_p":22,` +
			`"proto":"tcp","duration":1.5,"orig_bytes":0,"resp_bytes":0,"conn_state":"REJ","local_orig":false,"local_resp":true,"missed_bytes":0,` +
			`"history":"Sr","orig_pkts":1,"orig_ip_bytes":60,"resp_pkts":1,"resp_ip_bytes":40}`,
		Dataset: "log.zeek.conn",
		Want: map[string]any{
			"@timestamp": "2024-05-06T07:08:09.123Z", "event.kind": "event", "event.category": []any{"network"},
			"event.type": []any{"connection", "start"}, "event.id": "CzzT1o2yYJ4Y9cJ5ak", "zeek.session_id": "CzzT1o2yYJ4Y9cJ5ak",
			"event.duration": 1_500_000_000, "source.ip": "203.0.113.9", "source.port": 40001, "destination.ip": "10.1.2.3",
			"destination.port": 22, "source.bytes": 60, "destination.bytes": 40, "network.bytes": 100, "network.packets": 2,
			"network.direction": "inbound", "network.transport": "tcp", "zeek.connection.state": "REJ",
			"zeek.connection.state_message": "Connection attempt rejected.", "zeek.connection.history": "Sr",
		},
	},
	{
		Name: "conn icmp with _path",
		Line: `{"_path":"conn","ts":1714979290.5,"uid":"CICMP1","id.orig_h":"10.1.2.3","id.orig_p":8,"id.resp_h":"198.51.100.1","id.resp_p":0,` +
			`"proto":"icmp","conn_state":"OTH","local_orig":true,"local_resp":false,"orig_pkts":2,"orig_ip_bytes":168,"resp_pkts":2,"resp_ip_bytes":168}`,
		Want: map[string]any{
			"zeek.connection.icmp.type": 8, "zeek.connection.icmp.code": 0, "network.direction": "outbound",
			"event.type": []any{"connection", "info"}, "network.transport": "icmp",
			"_absent": []any{"source.port", "destination.port", "event.duration"},
		},
	},
	{
		Name: "dns answer",
		Line: `{"ts":1714979291.000001,"uid":"CDNS1","id.orig_h":"2001:db8::10","id.orig_p":53000,"id.resp_h":"2001:db8::53","id.resp_p":53,"proto":"udp",` +
			`"trans_id":4242,"rtt":0.012345,"query":"mail.example.co.uk","qclass":1,"qclass_name":"C_INTERNET","qtype":28,"qtype_name":"AAAA",` +
			`"rcode":0,"rcode_name":"NOERROR","AA":true,"TC":false,"RD":true,"RA":true,"Z":0,"answers":["mx.example.co.uk","2001:db8::25"],"TTLs":[300.0,60.0],"rejected":false}`,
		Dataset: "log.zeek.dns",
		Want: map[string]any{
			"event.type": []any{"connection", "protocol", "info"}, "event.outcome": "success", "event.duration": 12_345_000,
			"network.protocol": "dns", "dns.type": "answer", "dns.id": "4242", "dns.question.name": "mail.example.co.uk",
			"dns.question.registered_domain": "example.co.uk", "dns.question.type": "AAAA", "dns.question.class": "IN",
			"dns.response_code": "NOERROR", "dns.header_flags": []any{"AA", "RD", "RA"},
			"dns.answers":     []any{map[string]any{"data": "mx.example.co.uk", "ttl": 300}, map[string]any{"data": "2001:db8::25", "ttl": 60}},
			"dns.resolved_ip": []any{"2001:db8::25"}, "zeek.dns.query": "mail.example.co.uk",
		},
	},
	{
		Name: "dns query, local name, NXDOMAIN",
		Line: `{"ts":1714979292,"uid":"CDNS2","id.orig_h":"10.1.2.3","id.orig_p":5353,"id.resp_h":"10.1.2.1","id.resp_p":53,"proto":"udp","trans_id":7,"query":"printer.corp","rcode":3,"rcode_name":"NXDOMAIN","rejected":false}`,
		Want: map[string]any{
			"event.outcome": "failure", "dns.question.name": "printer.corp", "dns.type": "answer", "dns.response_code": "NXDOMAIN",
			"_absent": []any{"dns.question.registered_domain", "dns.header_flags"},
		},
	},
	{
		Name:    "http",
		Line:    `{"ts":"2024-05-06T07:08:09.5Z","uid":"CHTTP1","id.orig_h":"10.1.2.3","id.orig_p":50000,"id.resp_h":"198.51.100.80","id.resp_p":80,"trans_depth":1,"method":"GET","host":"www.example.org","uri":"/a/b.php?x=1","referrer":"-","version":"1.1","user_agent":"Agent/1.0","request_body_len":0,"response_body_len":512,"status_code":200,"status_msg":"OK"}`,
		Dataset: "log.zeek.http",
		Want: map[string]any{
			"@timestamp": "2024-05-06T07:08:09.5Z", "http.request.method": "GET", "url.domain": "www.example.org", "url.path": "/a/b.php",
			"url.query": "x=1", "http.response.status_code": 200, "http.response.body.bytes": 512, "http.version": "1.1",
			"_absent": []any{"http.request.referrer"},
		},
	},
	{
		Name:    "ssl",
		Line:    `{"ts":1714979293.25,"uid":"CSSL1","id.orig_h":"10.1.2.3","id.orig_p":50001,"id.resp_h":"198.51.100.43","id.resp_p":443,"version":"TLSv13","cipher":"TLS_AES_128_GCM_SHA256","curve":"x25519","server_name":"login.example.com","resumed":false,"established":true}`,
		Dataset: "log.zeek.ssl",
		Want:    map[string]any{"tls.version": "1.3", "tls.version_protocol": "tls", "tls.client.server_name": "login.example.com", "tls.established": true},
	},
	{
		Name:    "notice",
		Line:    `{"ts":1714979294.0,"uid":"CN1","_path":"notice","note":"Scan::Port_Scan","msg":"203.0.113.9 scanned at least 15 unique ports","src":"203.0.113.9","actions":["Notice::ACTION_LOG"]}`,
		Dataset: "log.zeek.notice",
		Want:    map[string]any{"event.kind": "alert", "rule.name": "Scan::Port_Scan", "source.ip": "203.0.113.9", "message": "203.0.113.9 scanned at least 15 unique ports"},
	},
	{Name: "truncated", Line: `{"ts":1714979294.0,"uid":"CN1","id.orig_h":"10.0.0.1","answers":["a"`, Err: true},
	{Name: "no ts or uid", Line: `{"id.orig_h":"10.0.0.1"}`, Err: true},
}

func TestParse(t *testing.T) {
	normalizetest.Run(t, Parser{}, &normalize.Env{}, cases)
}

func TestDetect(t *testing.T) {
	for line, want := range map[string]bool{
		`{"ts":1.5,"fuid":"F1","source":"HTTP"}`:                                       true,
		`{"timestamp":"2024-05-06T07:10:00Z","event_type":"flow","src_ip":"10.0.0.1"}`: false,
		`{"eventVersion":"1.08","eventSource":"s3.amazonaws.com"}`:                     false,
		`ts=1 uid=C1 id.orig_h=10.0.0.1`:                                               false,
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
