package suricata

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up EVE records (documentation addresses, invented signatures).
var cases = []normalizetest.Case{
	{
		Name: "alert with http and flow",
		Line: `{"timestamp":"2024-05-06T07:08:09.123456+0200","flow_id":9007199254740993,"in_iface":"eth1","event_type":"alert",` +
			`"src_ip":"198.51.100.7","src_port":51000,"dest_ip":"203.0.113.80","dest_port":8080,"proto":"TCP","tx_id":2,` +
			`"alert":{"action":"blocked","gid":1,"signature_id":1000001,"rev":3,"signature":"LOCAL test rule","category":"Misc activity","severity":3},` +
			`"http":{"hostname":"app.example.org","url":"\/search?q=a%20b","http_user_agent":"tool\/2.0","http_method":"POST","protocol":"HTTP\/1.0","status":404,"length":12,"http_refer":"http:\/\/example.org\/"},` +
			`"app_proto":"http","flow":{"pkts_toserver":5,"pkts_toclient":4,"bytes_toserver":600,"bytes_toclient":900,"start":"2024-05-06T07:08:08.5+0200"}}`,
		Dataset: "log.suricata.alert",
		Want: map[string]any{
			"@timestamp": "2024-05-06T05:08:09.123Z", "event.start": "2024-05-06T05:08:08.5Z", "event.kind": "alert",
			"event.category": []any{"network", "intrusion_detection"}, "event.type": []any{"denied"}, "event.severity": 3,
			"message": "Misc activity", "rule.id": "1000001", "rule.name": "LOCAL test rule", "rule.category": "Misc activity",
			"suricata.eve.flow_id": "9007199254740993", "suricata.eve.in_iface": "eth1", "suricata.eve.alert.gid": 1,
			"source.ip": "198.51.100.7", "source.port": 51000, "destination.ip": "203.0.113.80", "destination.port": 8080,
			"source.bytes": 600, "destination.bytes": 900, "network.bytes": 1500, "network.packets": 9,
			"network.transport": "tcp", "network.protocol": "http", "network.type": "ipv4",
			"url.original": "/search?q=a%20b", "url.path": "/search", "url.query": "q=a%20b", "url.domain": "app.example.org",
			"destination.domain": "app.example.org", "user_agent.original": "tool/2.0", "http.request.method": "POST",
			"http.version": "1.0", "http.response.status_code": 404, "http.response.body.bytes": 12,
			"http.request.referrer": "http://example.org/",
		},
	},
	{
		Name: "dns answer",
		Line: `{"timestamp":"2024-05-06T07:08:09.000001Z","event_type":"dns","src_ip":"2001:db8::53","src_port":53,"dest_ip":"2001:db8::10","dest_port":40000,"proto":"UDP",` +
			`"dns":{"version":2,"type":"answer","id":4660,"flags":"8180","qr":true,"rd":true,"ra":true,"rrname":"www.example.co.uk","rrtype":"A","rcode":"NOERROR",` +
			`"answers":[{"rrname":"www.example.co.uk","rrtype":"CNAME","ttl":300,"rdata":"web.example.co.uk"},{"rrname":"web.example.co.uk","rrtype":"A","ttl":60,"rdata":"192.0.2.10"}],` +
			`"grouped":{"A":["192.0.2.10"],"CNAME":["web.example.co.uk"]}}}`,
		Dataset: "log.suricata.dns",
		Want: map[string]any{
			"event.kind": "event", "event.type": []any{"protocol"}, "dns.type": "answer", "dns.id": "4660",
			"dns.question.name": "www.example.co.uk", "dns.question.registered_domain": "example.co.uk",
			"dns.question.type": "A", "dns.response_code": "NOERROR", "dns.header_flags": []any{"RD", "RA"},
			"dns.answers":     []any{map[string]any{"data": "web.example.co.uk", "type": "CNAME", "ttl": 300}, map[string]any{"data": "192.0.2.10", "type": "A", "ttl": 60}},
			"dns.resolved_ip": []any{"192.0.2.10"}, "network.type": "ipv6", "network.transport": "udp",
		},
	},
	{
		Name: "dns grouped only, version 3 queries",
		Line: `{"timestamp":"2024-05-06T07:08:09Z","event_type":"dns","dns":{"type":"response","queries":[{"rrname":"example.net","rrtype":"AAAA"}],"grouped":{"AAAA":["2001:db8::1"]}}}`,
		Want: map[string]any{
			"dns.question.name": "example.net", "dns.question.type": "AAAA", "dns.resolved_ip": []any{"2001:db8::1"},
			"dns.answers.type": []any{"AAAA"},
		},
	},
	{
		Name:    "flow",
		Line:    `{"timestamp":"2024-05-06T07:10:00.000000+0000","event_type":"flow","src_ip":"10.0.0.1","src_port":1,"dest_ip":"10.0.0.2","dest_port":2,"proto":"TCP","app_proto":"failed","flow":{"pkts_toserver":1,"pkts_toclient":0,"bytes_toserver":60,"bytes_toclient":0,"start":"2024-05-06T07:09:00.000000+0000","end":"2024-05-06T07:09:30.250000+0000","age":30,"state":"closed","reason":"timeout","alerted":false}}`,
		Dataset: "log.suricata.flow",
		Want: map[string]any{
			"event.type": []any{"connection", "end"}, "event.duration": 30_250_000_000, "event.end": "2024-05-06T07:09:30.25Z",
			"suricata.eve.flow.state": "closed", "suricata.eve.flow.alerted": false, "destination.bytes": 0,
			"_absent": []any{"network.protocol"},
		},
	},
	{
		Name: "tls",
		Line: `{"timestamp":"2024-05-06T07:10:00+00:00","event_type":"tls","tls":{"subject":"C=US, O=Example, CN=www.example.com","issuerdn":"C=US, CN=Example CA","serial":"0A:0B","fingerprint":"aa:bb:cc","sni":"www.example.com","version":"TLS 1.2","notbefore":"2024-01-01T00:00:00","notafter":"2025-01-01T00:00:00","ja3":{"hash":"e7d705a3286e19ea42f587b344ee6865","string":"771,1"},"ja3s":{"hash":"f4febc55ea12b31ae17cfb7e614afda8"}}}`,
		Want: map[string]any{
			"tls.version": "1.2", "tls.version_protocol": "tls", "tls.client.server_name": "www.example.com",
			"tls.server.x509.subject.common_name": "www.example.com", "tls.server.x509.issuer.common_name": "Example CA",
			"tls.server.hash.sha1": "AABBCC", "tls.server.x509.serial_number": "0A0B", "tls.server.not_after": "2025-01-01T00:00:00Z",
			"tls.client.ja3": "e7d705a3286e19ea42f587b344ee6865", "tls.server.ja3s": "f4febc55ea12b31ae17cfb7e614afda8",
		},
	},
	{
		Name: "fileinfo behind a syslog header",
		Line: `<14>May  6 07:10:00 sensor1 suricata[812]: {"timestamp":"2024-05-06T07:10:00Z","event_type":"fileinfo","fileinfo":{"filename":"\/files\/report.pdf","size":1024,"sha256":"abc","state":"CLOSED"}}`,
		Want: map[string]any{
			"file.path": "/files/report.pdf", "file.name": "report.pdf", "file.size": 1024, "file.hash.sha256": "abc",
			"event.category": []any{"network", "file"},
		},
	},
	{Name: "truncated", Line: `{"timestamp":"2024-05-06T07:10:00Z","event_type":"alert","alert":{"signature":"x`, Err: true},
	{Name: "alert not an object", Line: `{"timestamp":"2024-05-06T07:10:00Z","event_type":"alert","alert":["x"]}`, Err: true},
	{Name: "no event type value", Line: `{"timestamp":"2024-05-06T07:10:00Z","event_type":null}`, Err: true},
}

func TestParse(t *testing.T) {
	normalizetest.Run(t, Parser{}, &normalize.Env{}, cases)
}

func TestDetect(t *testing.T) {
	for line, want := range map[string]bool{
		`{"timestamp":"2024-05-06T07:10:00Z","event_type":"stats"}`:                         true,
		`{"ts":1714979289.1,"uid":"C1","id.orig_h":"10.0.0.1","event_type":"x"}`:            false,
		`{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventType":"AwsApiCall"}`: false,
		`date=2024-05-06 time=07:12:00 devname="a" devid="b" event_type="x" timestamp=1`:    false,
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
