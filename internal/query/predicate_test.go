package query

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flowsift/flowsift/internal/record"
)

// testRecords are a handful of handmade records; the predicate table says
// which of them each query selects.
func testRecords() map[string]*record.Record {
	t0 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	return map[string]*record.Record{
		"web": {
			Timestamp: t0, Tenant: "acme", Observer: "sensor-1",
			Event:       record.Event{ID: "01JWEB", Dataset: record.DatasetFlow, Start: t0, End: t0.Add(2 * time.Second)},
			Source:      record.Endpoint{IP: netip.MustParseAddr("10.1.2.3"), Port: 51000, HasPort: true, Packets: 10, Bytes: 2_000_000, MAC: [6]byte{0, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e}, HasMAC: true},
			Destination: record.Endpoint{IP: netip.MustParseAddr("93.184.216.34"), Port: 443, HasPort: true, Packets: 8, Bytes: 9000},
			Network:     record.Network{Transport: "tcp", Type: "ipv4", IANANumber: 6, HasIANA: true, CommunityID: "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", Application: "Evil.Example.COM+x"},
			Flow:        record.Flow{History: "ShADadFf", EndReason: "tcp-fin", PatternSizes: []int32{60, 60, 1500}},
		},
		"dns6": {
			Timestamp: t0.Add(26 * time.Hour), Tenant: "acme",
			Event:       record.Event{ID: "01JDNS", Dataset: record.DatasetFlow},
			Source:      record.Endpoint{IP: netip.MustParseAddr("2001:db8::1"), Port: 5353, HasPort: true, Packets: 1, Bytes: 80},
			Destination: record.Endpoint{IP: netip.MustParseAddr("2001:db8:1::53"), Port: 53, HasPort: true, Packets: 1, Bytes: 120},
			Network:     record.Network{Transport: "udp", Type: "ipv6", IANANumber: 17, HasIANA: true},
			Flow:        record.Flow{Interim: true, Tunnel: record.Tunnel{Types: []string{"GRE", "vxlan"}}, EndReason: "idle-timeout"},
		},
		"icmp": {
			Timestamp: t0.Add(-time.Hour), Tenant: "acme",
			Event:       record.Event{ID: "01JICMP", Dataset: record.DatasetFlow},
			Source:      record.Endpoint{IP: netip.MustParseAddr("192.168.1.10"), Packets: 1, Bytes: 84},
			Destination: record.Endpoint{IP: netip.MustParseAddr("10.255.255.255"), Packets: 1, Bytes: 84},
			Network:     record.Network{Transport: "icmp", Type: "ipv4", IANANumber: 1, HasIANA: true},
			ICMP:        record.ICMP{Type: 8, Has: true},
			Flow:        record.Flow{EndReason: "idle-timeout"},
		},
		"log": {
			// A record of another dataset: the flow-only fields are absent.
			Timestamp: t0, Tenant: "acme",
			Event:  record.Event{ID: "01JLOG", Dataset: "log.squid.access"},
			Source: record.Endpoint{IP: netip.MustParseAddr("10.9.9.9"), Bytes: 777},
		},
		"other": {
			// Another tenant's record never matches.
			Timestamp: t0, Tenant: "globex",
			Event:  record.Event{ID: "01JOTHER", Dataset: record.DatasetFlow},
			Source: record.Endpoint{IP: netip.MustParseAddr("10.1.2.3"), Port: 443, HasPort: true},
		},
	}
}

func TestPredicate(t *testing.T) {
	recs := testRecords()
	all := []string{"dns6", "icmp", "log", "web"}
	tests := []struct {
		q    string
		want []string
	}{
		{``, all},
		{`*`, all},
		{`evil.example.com`, []string{"web"}},
		// Identifiers match whole, in the case their field spells them.
		{`"1:LQU9qZlK+B5F3KDmev6m5PMibrg="`, []string{"web"}},
		{`"1:lqu9qzlk+b5f3kdmev6m5pmibrg="`, nil},
		{`LQU9qZlK`, nil},
		{`EVIL`, []string{"web"}},
		{`"example.com+"`, []string{"web"}},
		{`ev?l*com`, []string{"web"}},
		{`sensor`, []string{"web"}},
		{`nothing-like-this`, nil},
		{`10.1.2.3`, []string{"web"}},
		{`10.0.0.0/8`, []string{"icmp", "log", "web"}},
		{`2001:db8::/32`, []string{"dns6"}},
		{`00-1A-2b`, []string{"web"}},
		{`vxlan`, []string{"dns6"}},
		{`10.1`, []string{"web"}},
		{`source.ip:10.0.0.0/8`, []string{"log", "web"}},
		{`NOT source.ip:10.0.0.0/8`, []string{"dns6", "icmp"}},
		{`source.ip:10.0.0.0/8 AND NOT destination.ip:10.0.0.0/8`, []string{"log", "web"}},
		{`destination.ip:10.255.255.255`, []string{"icmp"}},
		{`destination.ip:2001:db8:1::53`, []string{"dns6"}},
		{`destination.ip:"2001:DB8:1::53"`, []string{"dns6"}},
		{`source.ip:::ffff:10.1.2.3`, []string{"web"}},
		{`source.ip:::ffff:0:0/96`, []string{"icmp", "log", "web"}},
		{`source.ip:[10.0.0.0 TO 10.5.0.0]`, []string{"web"}},
		{`source.ip:>10.1.2.3`, []string{"dns6", "icmp", "log"}},
		{`source.ip:10.1.*`, []string{"web"}},
		{`source.ip:*`, all},
		{`source.port:443`, nil},
		{`destination.port:443`, []string{"web"}},
		{`destination.port:(53 OR 443)`, []string{"dns6", "web"}},
		{`source.port:[1024 TO 65535]`, []string{"dns6", "web"}},
		{`source.port:{5353 TO 65535]`, []string{"web"}},
		{`source.port:[* TO 5353}`, nil},
		{`NOT source.port:[1024 TO 65535]`, []string{"icmp", "log"}},
		{`_exists_:source.port`, []string{"dns6", "web"}},
		{`-_exists_:source.port`, []string{"icmp", "log"}},
		{`source.bytes:>1000000`, []string{"web"}},
		{`source.bytes:<=84`, []string{"dns6", "icmp"}},
		{`source.bytes:777`, nil}, // flow-only field on a log record
		{`_exists_:source.bytes`, []string{"dns6", "icmp", "web"}},
		{`network.bytes:>1000000`, []string{"web"}},
		{`event.duration:2000000000`, []string{"web"}},
		{`network.transport:TCP`, []string{"web"}},
		{`network.transport:(tcp OR udp)`, []string{"dns6", "web"}},
		{`network.transport:u*`, []string{"dns6"}},
		{`network.transport:*c*`, []string{"icmp", "web"}},
		{`network.transport:t?p`, []string{"web"}},
		{`network.transport:tc`, nil},
		{`event.dataset:log.*`, []string{"log"}},
		{`event.dataset:flow -network.type:ipv6`, []string{"icmp", "web"}},
		{`flow.history:shadadff`, []string{"web"}},
		{`flow.end_reason:idle-timeout`, []string{"dns6", "icmp"}},
		{`flow.interim:true`, []string{"dns6"}},
		{`NOT flow.interim:true`, []string{"icmp", "log", "web"}},
		{`flow.tunnel.types:gre`, []string{"dns6"}},
		{`flow.tunnel.types:VX*`, []string{"dns6"}},
		{`flow.pattern.sizes:1500`, []string{"web"}},
		{`flow.pattern.sizes:>1000`, []string{"web"}},
		{`flow.pattern.sizes:[61 TO 1000]`, nil},
		{`icmp.type:8`, []string{"icmp"}},
		{`source.mac:00:1a:2b:3c:4d:5e`, []string{"web"}},
		{`source.mac:00-1A-2B-3C-4D-5E`, []string{"web"}},
		{`source.mac:00:1a*`, []string{"web"}},
		{`@timestamp:2026-11-01`, []string{"icmp", "log", "web"}},
		{`@timestamp:2026-11-01T10:00`, []string{"log", "web"}},
		{`@timestamp:2026-11-01T10:00:00Z`, []string{"log", "web"}},
		{`@timestamp:"2026-11-01T11:00:00+01:00"`, []string{"log", "web"}},
		{`@timestamp:[2026-11-01 TO 2026-11-02]`, all},
		{`@timestamp:[2026-11-01 TO 2026-11-02}`, []string{"icmp", "log", "web"}},
		{`@timestamp:{2026-11-01T09:00 TO *]`, []string{"dns6", "log", "web"}},
		{`@timestamp:>2026-11-01`, []string{"dns6"}},
		{`@timestamp:<2026-11-01T10`, []string{"icmp"}},
		{`@timestamp:<=2026-11-01T10`, []string{"icmp", "log", "web"}},
		{`event.start:2026-11-01`, []string{"web"}},
		{`(tcp OR udp) AND NOT 2001:db8::/32`, []string{"web"}},
		{`tcp OR icmp.type:8 OR flow.interim:true`, []string{"dns6", "icmp", "web"}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			n, err := Parse(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			p, err := NewPredicate(n, Options{Tenant: "acme"})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, name := range []string{"dns6", "icmp", "log", "other", "web"} {
				if p(recs[name]) {
					got = append(got, name)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.q, diff)
			}
		})
	}
}

func TestPredicateTimeRange(t *testing.T) {
	recs := testRecords()
	n, _ := Parse(``)
	from := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	p, err := NewPredicate(n, Options{Tenant: "acme", From: from, To: from.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, name := range []string{"dns6", "icmp", "log", "other", "web"} {
		if p(recs[name]) {
			got = append(got, name)
		}
	}
	if diff := cmp.Diff([]string{"log", "web"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		anchored   bool
		want       bool
	}{
		{"a*c", "abc", true, true},
		{"a*c", "abcd", true, false},
		{"a*c", "xabcx", false, true},
		{"a?c", "ac", true, false},
		{"*", "", true, true},
		{"é?", "éé", true, true},
		{`a\*`, "a*", true, true},
		{`a\*`, "ab", true, false},
		{"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true, false},
	}
	for _, tt := range tests {
		if got := compileGlob(tt.pattern, tt.anchored).match(tt.s); got != tt.want {
			t.Errorf("glob %q (anchored %v) on %q = %v, want %v", tt.pattern, tt.anchored, tt.s, got, tt.want)
		}
	}
}
