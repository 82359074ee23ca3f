package record_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/flowsift/flowsift/internal/record"
)

func appliesTo(f *record.Field, ds record.Dataset) bool {
	if f.Datasets == nil {
		return true
	}
	for _, d := range f.Datasets {
		if d == ds {
			return true
		}
	}
	return false
}

// fullTransactions returns one record of each application dataset with
// every field of its group set.
func fullTransactions() []record.Record {
	t0 := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	a := netip.MustParseAddr("192.0.2.7")
	base := func(ds record.Dataset) record.Record {
		return record.Record{Timestamp: t0, Event: record.Event{ID: "01HX0000000000000000000001", Dataset: ds},
			Network: record.Network{Transport: "tcp", Protocol: string(ds), Application: "example", AppCategory: "web"},
			Flow:    record.Flow{ID: "0123456789abcdef", ParentID: "fedcba9876543210"}}
	}
	var out []record.Record
	r := base(record.DatasetDNS)
	r.DNS = &record.DNS{ID: 7, OpCode: "QUERY", QName: "Example.COM", QType: "A", QClass: "IN", RCode: "NOERROR",
		HeaderFlags: []string{"RD", "RA"}, AnswerTypes: []string{"A"}, AnswerTTLs: []int32{60}, AnswerData: []string{"192.0.2.7"},
		ResolvedIPs: []string{"192.0.2.7"}, RTT: 1500 * time.Microsecond}
	out = append(out, r)
	r = base(record.DatasetHTTP)
	r.HTTP = &record.HTTP{Method: "GET", Version: "1.1", URL: "/x?y=<script>", Host: "example.com", UserAgent: "curl/8",
		Referrer: "http://a/", RequestMIME: "text/plain", ResponseMIME: "text/html", StatusCode: 200, RequestBody: 0, ResponseBody: 10,
		XForwardedFor: "10.0.0.1", XRealIP: "10.0.0.2", Forwarded: "for=10.0.0.3", ClientIP: "10.0.0.4"}
	out = append(out, r)
	r = base(record.DatasetQUIC)
	r.TLS = &record.TLS{Version: "1.2", VersionProtocol: "tls", Cipher: "TLS_AES_128_GCM_SHA256", NextProtocol: "h2", Established: true, HasEstablished: true,
		Resumed: true, ServerName: "example.com", JA3: "abc", JA4: "q13d", ClientVersions: []string{"1.3"}, ClientALPN: []string{"h3"},
		JA3S: "def", JA4S: "q130", QUICVersion: "1", Subject: "CN=example.com", Issuer: "CN=CA", SANs: []string{"example.com"}, Serial: "01",
		NotBefore: t0, NotAfter: t0.Add(time.Hour), SHA1: "aa", SHA256: "bb", SelfSigned: true, ChainIssuers: []string{"CN=CA"}, ChainLength: 1}
	out = append(out, r)
	r = base(record.DatasetSSH)
	r.SSH = &record.SSH{Version: 2, ClientBanner: "SSH-2.0-a", ServerBanner: "SSH-2.0-b", HASSH: "h", HASSHServer: "hs", Kex: "k", HostKey: "hk",
		Cipher: "c", MAC: "m", Compression: "none", ClientKex: []string{"k"}, ClientCiphers: []string{"c"}, ClientMACs: []string{"m"},
		ServerHostKeys: []string{"hk"}, AuthSuccess: true, HasAuthSuccess: true, AuthAttempts: 1}
	out = append(out, r)
	r = base(record.DatasetSMTP)
	r.SMTP = &record.SMTP{Helo: "h", MailFrom: "a@b", RcptTo: []string{"c@d"}, LastReply: "250 ok", StartTLS: true, AuthUser: "u", From: "a@b",
		To: []string{"c@d"}, Cc: []string{"e@f"}, ReplyTo: "g@h", Subject: "s", Date: "d", MessageID: "<m>", InReplyTo: "<n>", UserAgent: "ua",
		XOrigIP: "10.0.0.9", Bytes: 100}
	out = append(out, r)
	r = base(record.DatasetFTP)
	r.FTP = &record.FTP{Command: "RETR", Arg: "x", User: "anonymous", Path: "/x", ReplyCode: 226, ReplyMsg: "ok", DataPassive: true, DataIP: a, DataPort: 2000, HasData: true}
	out = append(out, r)
	r = base(record.DatasetDHCP)
	r.DHCP = &record.DHCP{TransactionID: 9, MsgTypes: []string{"REQUEST", "ACK"}, ClientMAC: "00:11:22:33:44:55", HostName: "pc", ClientFQDN: "pc.x",
		Domain: "x", VendorClass: "MSFT 5.0", ClientID: "01", RequestedAddr: a, AssignedAddr: a, ClientAddr: a, ServerAddr: a, LeaseTime: 3600,
		HasLeaseTime: true, ParamRequested: []int32{1, 3}, Message: "m"}
	out = append(out, r)
	r = base(record.DatasetNTP)
	r.NTP = &record.NTP{Version: 4, Mode: "client", Stratum: 2, HasStratum: true, RefID: "192.0.2.1", Poll: 6, Messages: 2}
	out = append(out, r)
	r = base(record.DatasetNetFlow)
	r.Source = record.Endpoint{IP: a, AS: 64500, NATIP: a, NATPort: 40000, HasNATPort: true, Packets: 10, Bytes: 1000}
	r.Destination = record.Endpoint{IP: a, AS: 64501, NATIP: a, NATPort: 443, HasNATPort: true}
	r.Network.Direction = "ingress"
	r.NetFlow = &record.NetFlow{Protocol: "ipfix", Exporter: a, DomainID: 1, InInterface: 3, OutInterface: 4, HasIn: true, HasOut: true,
		SamplingRate: 100, RawPackets: 1, RawBytes: 10, NextHop: a, ToS: 0xb8, HasToS: true}
	out = append(out, r)
	return out
}

// fromOtherSources are fields of every dataset that the sensor's flows
// leave empty: exporters, firewalls and enrichment fill them.
var fromOtherSources = map[string]bool{
	"source.as.number": true, "source.nat.ip": true, "source.nat.port": true, "destination.as.number": true,
	"destination.nat.ip": true, "destination.nat.port": true, "network.direction": true,
}

func TestAppendJSONTransactions(t *testing.T) {
	covered := map[string]bool{}
	for _, r := range fullTransactions() {
		got := decodeJSON(t, r.AppendJSON(nil))
		for i := range record.Fields {
			f := &record.Fields[i]
			if !appliesTo(f, r.Event.Dataset) {
				continue
			}
			if _, ok := lookupPath(got, f.Name); ok {
				covered[f.Name] = true
			}
		}
		for _, name := range []string{"network.protocol", "network.application", "app.category", "flow.parent_id"} {
			if _, ok := lookupPath(got, name); !ok {
				t.Errorf("%s: %s missing", r.Event.Dataset, name)
			}
		}
	}
	// Every field that belongs to application datasets is written by a
	// full record of one of them.
	for i := range record.Fields {
		f := &record.Fields[i]
		if (f.Datasets == nil || appliesTo(f, record.DatasetFlow)) && !fromOtherSources[f.Name] || appliesTo(f, record.DatasetLogs) {
			continue // log fields: TestAppendJSONLog
		}
		if !covered[f.Name] {
			t.Errorf("field %s missing from the JSON of every full transaction record", f.Name)
		}
	}
}

func TestAppendJSONTransactionEscapes(t *testing.T) {
	r := fullTransactions()[1]
	out := string(r.AppendJSON(nil))
	if want := `"original":"/x?y=\u003cscript\u003e"`; !contains(out, want) {
		t.Errorf("url not escaped: %s", out)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// TestAppendJSONLog: a log record's fields come from Log.Fields, nested
// as ECS nests them; a name the schema lacks is written as a dotted key;
// strings are escaped.
func TestAppendJSONLog(t *testing.T) {
	f := func(name string, v record.Value, typ record.Type) record.LogField {
		i := -1
		for k := range record.Fields {
			if record.Fields[k].Name == name {
				i = k
			}
		}
		return record.LogField{Field: i, Name: name, Value: v, Type: typ}
	}
	r := record.Record{Timestamp: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC), Tenant: "acme", Observer: "collector",
		Event: record.Event{ID: "01HX0000000000000000000009", Dataset: "log.panos.traffic"},
		Log: &record.Log{Fields: []record.LogField{
			f("source.ip", record.Value{IP: netip.MustParseAddr("10.0.0.1")}, record.TypeIP),
			f("source.port", record.Value{Int: 51000}, record.TypeInt),
			f("event.action", record.Value{Str: "deny </script>"}, record.TypeString),
			f("observer.name", record.Value{Str: "PA-220"}, record.TypeString),
			f("vendor.unknown.thing", record.Value{Str: "x"}, record.TypeString),
		}}}
	got := string(r.AppendJSON(nil))
	for _, want := range []string{`"source":{"ip":"10.0.0.1","port":51000}`, `"action":"deny \u003c/script\u003e"`,
		`"observer":{"name":"PA-220"}`, `"vendor.unknown.thing":"x"`, `"dataset":"log.panos.traffic"`, `"tenant":{"id":"acme"}`} {
		if !contains(got, want) {
			t.Errorf("log JSON lacks %s:\n%s", want, got)
		}
	}
	if f, _ := record.Lookup("source.bytes"); f.Get(&r, &record.Value{}) {
		t.Errorf("source.bytes reported for a log record without it")
	}
}
