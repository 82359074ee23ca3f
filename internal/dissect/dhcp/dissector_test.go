package dhcp_test

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/flowsift/flowsift/internal/dissect"
	"github.com/flowsift/flowsift/internal/dissect/dhcp"
	"github.com/flowsift/flowsift/internal/record"
	"github.com/flowsift/flowsift/internal/testutil"
	"github.com/flowsift/flowsift/internal/testutil/sensortest"
)

// TestGolden runs dhcp.pcap (every message type of one exchange, a
// RELEASE and an INFORM) through the sensor path.
func TestGolden(t *testing.T) {
	res := sensortest.Run(t, "testdata/dhcp.pcap")
	sensortest.Golden(t, "testdata/dhcp.golden.jsonl", res.Datasets(record.DatasetDHCP))
}

// jsonValue turns json.Number into its text so table values stay simple.
func jsonValue(v any) any {
	if s, ok := v.(fmt.Stringer); ok {
		return s.String()
	}
	return v
}

func str(r map[string]any, path string) string {
	return testutil.Str(jsonValue(sensortest.Get(r, path)))
}

// TestRecords checks known exchanges. In dhcp.pcap the client broadcasts
// from 0.0.0.0 while the server answers to the offered address or to the
// broadcast address: each answer is a flow of its own.
func TestRecords(t *testing.T) {
	tests := []struct {
		pcap string
		want map[string]map[string]any // msg_types joined by "," → dotted path → value
	}{
		{"testdata/dhcp.pcap", map[string]map[string]any{
			"DISCOVER,REQUEST,REQUEST,DECLINE": {
				"dhcp.transaction_id": "1984", "dhcp.client_mac": "90:b1:1c:99:49:29",
				"dhcp.host_name": "btest.is.cool", "dhcp.requested_addr": "128.2.6.189",
				"dhcp.server_addr": "128.2.6.152", "source.ip": "0.0.0.0", "network.protocol": "dhcp",
			},
			"OFFER": {"dhcp.assigned_addr": "128.2.6.97", "dhcp.lease_time": "900", "dhcp.domain": "cmu.edu", "dhcp.transaction_id": "1984"},
			"NAK":   {"dhcp.message": "requested address not available", "dhcp.assigned_addr": nil},
			"ACK": {
				"dhcp.assigned_addr": "128.2.6.189", "dhcp.lease_time": "900", "dhcp.domain": "cmu.edu",
				"dhcp.vendor_class": "ArubaAP", "destination.ip": "128.2.6.189",
			},
			"RELEASE": {"dhcp.transaction_id": "1948", "dhcp.host_name": nil},
			"INFORM":  {"dhcp.transaction_id": "1988", "dhcp.host_name": "btest.is.cool"},
		}},
		{"testdata/dhcp_discover_param_req_and_client_id.pcap", map[string]map[string]any{
			"DISCOVER": {
				"dhcp.param_request_list": []any{"1", "3", "6", "42"}, "dhcp.client_id": "01000b8201fc42",
				"dhcp.host_name": "test0000", "dhcp.client_mac": "00:0b:82:01:fc:42",
			},
		}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.pcap), func(t *testing.T) {
			recs := sensortest.Run(t, tt.pcap).Datasets(record.DatasetDHCP)
			if len(recs) != len(tt.want) {
				t.Errorf("%d dhcp records, want %d", len(recs), len(tt.want))
			}
			for _, r := range recs {
				types := strings.Join(testutil.Strs(sensortest.Get(r, "dhcp.msg_types")), ",")
				want, ok := tt.want[types]
				if !ok {
					t.Errorf("unexpected record with msg_types %s", types)
					continue
				}
				for path, v := range want {
					got := sensortest.Get(r, path)
					if l, ok := got.([]any); ok {
						for i := range l {
							l[i] = jsonValue(l[i])
						}
					}
					if diff := cmp.Diff(v, jsonValue(got)); diff != "" {
						t.Errorf("%s record %s (-want +got):\n%s", types, path, diff)
					}
				}
			}
		})
	}
}

// TestMerging checks the bounds of the per-flow merging on synthetic
// flows: messages of one transaction id are merged up to 50 types and for
// 30 seconds after the first, and at most 16 ids are followed at once
// (the oldest exchange is written first).
func TestMerging(t *testing.T) {
	msg := discover(t)
	at := func(xid uint32, d time.Duration) datagram { return datagram{xid, d} }
	tests := []struct {
		name  string
		grams []datagram
		want  []string // "xid:types" of the records in order
	}{
		{"one exchange", []datagram{at(7, 0), at(7, time.Second)}, []string{"7:2"}},
		{"type bound", repeat(7, 60), []string{"7:50", "7:10"}},
		{"watch time", []datagram{at(7, 0), at(7, 10*time.Second), at(7, 40*time.Second)}, []string{"7:2", "7:1"}},
		{"id bound", ids(18), []string{"0:1", "1:1", "2:1", "3:1", "4:1", "5:1", "6:1", "7:1", "8:1", "9:1", "10:1", "11:1", "12:1", "13:1", "14:1", "15:1", "16:1", "17:1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFlow(t, msg, tt.grams)
			var got []string
			for _, r := range sensortest.Run(t, path).Datasets(record.DatasetDHCP) {
				got = append(got, fmt.Sprintf("%s:%d", str(r, "dhcp.transaction_id"), len(testutil.Strs(sensortest.Get(r, "dhcp.msg_types")))))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
		})
	}
}

type datagram struct {
	xid uint32
	at  time.Duration
}

func repeat(xid uint32, n int) []datagram {
	var out []datagram
	for i := range n {
		out = append(out, datagram{xid, time.Duration(i) * time.Millisecond})
	}
	return out
}

func ids(n int) []datagram {
	var out []datagram
	for i := range n {
		out = append(out, datagram{uint32(i), time.Duration(i) * time.Millisecond})
	}
	return out
}

// discover returns the DISCOVER of a testdata capture.
func discover(t testing.TB) []byte {
	t.Helper()
	f, err := os.Open("testdata/dhcp_discover_param_req_and_client_id.pcap")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, _, err := r.ReadPacketData()
	if err != nil {
		t.Fatal(err)
	}
	p := gopacket.NewPacket(data, r.LinkType(), gopacket.Default)
	udp, ok := p.Layer(layers.LayerTypeUDP).(*layers.UDP)
	if !ok {
		t.Fatal("no UDP datagram")
	}
	return slices.Clone(udp.Payload)
}

// writeFlow writes one UDP flow 0.0.0.0:68 → 255.255.255.255:67 whose
// datagrams are msg with the given transaction ids and times.
func writeFlow(t *testing.T, msg []byte, grams []datagram) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "flow.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := pcapgo.NewWriter(f)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, g := range grams {
		payload := slices.Clone(msg)
		binary.BigEndian.PutUint32(payload[4:], g.xid)
		eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{0, 0x0b, 0x82, 1, 0xfc, 0x42}, DstMAC: layers.EthernetBroadcast, EthernetType: layers.EthernetTypeIPv4}
		ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: net.IPv4zero, DstIP: net.IPv4bcast}
		udp := &layers.UDP{SrcPort: 68, DstPort: 67}
		if err := udp.SetNetworkLayerForChecksum(ip); err != nil {
			t.Fatal(err)
		}
		buf := gopacket.NewSerializeBuffer()
		opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
		if err := gopacket.SerializeLayers(buf, opts, eth, ip, udp, gopacket.Payload(payload)); err != nil {
			t.Fatal(err)
		}
		ci := gopacket.CaptureInfo{Timestamp: t0.Add(g.at), CaptureLength: len(buf.Bytes()), Length: len(buf.Bytes())}
		if err := w.WritePacket(ci, buf.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// TestProbe recognises DHCP by its header and magic cookie on any port.
func TestProbe(t *testing.T) {
	msg := discover(t)
	edit := func(f func(b []byte)) []byte {
		b := slices.Clone(msg)
		f(b)
		return b
	}
	udp := dissect.Hint{}
	onPort := dissect.Hint{OnPort: true}
	tests := []struct {
		name string
		data []byte
		h    dissect.Hint
		want dissect.Verdict
	}{
		{"discover on port", msg, onPort, dissect.Yes},
		{"discover off port", msg, udp, dissect.Yes},
		{"reply", edit(func(b []byte) { b[0] = 2 }), udp, dissect.Yes},
		{"op 3", edit(func(b []byte) { b[0] = 3 }), onPort, dissect.No},
		{"ethernet with hlen 4", edit(func(b []byte) { b[2] = 4 }), onPort, dissect.No},
		{"hlen 17", edit(func(b []byte) { b[1], b[2] = 6, 17 }), onPort, dissect.No},
		{"plain BOOTP", edit(func(b []byte) { b[236] = 0 }), onPort, dissect.No},
		{"too many hops", edit(func(b []byte) { b[3] = 17 }), onPort, dissect.No},
		{"short", msg[:239], onPort, dissect.No},
		{"tcp", msg, dissect.Hint{TCP: true, OnPort: true}, dissect.No},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dhcp.Probe(tt.data, tt.h); got != tt.want {
				t.Errorf("Probe = %d, want %d", got, tt.want)
			}
		})
	}
}

// FuzzProbe checks that Probe never panics and says Yes only to what
// Parse reads as a DHCP message.
func FuzzProbe(f *testing.F) {
	msg := discover(f)
	f.Add(msg)
	f.Add(msg[:240])
	f.Fuzz(func(t *testing.T, data []byte) {
		if dhcp.Probe(data, dissect.Hint{}) == dissect.Yes {
			if m, _ := dhcp.Parse(data); m == nil {
				t.Fatalf("Probe says Yes to %x, which Parse rejects", data)
			}
		}
	})
}

// exchange is our records of one transaction id merged over the flows of
// a trace, as Zeek's dhcp.log merges them.
type exchange struct {
	xid, mac string
	types    []string // concatenated in record order: per flow, not per message
	recs     []map[string]any
	used     bool
}

// last returns the last non-empty value of a field over the records.
func (x *exchange) last(path string) string {
	v := ""
	for _, r := range x.recs {
		if s := str(r, path); s != "" {
			v = s
		}
	}
	return v
}

func sorted(v []string) string {
	v = slices.Clone(v)
	sort.Strings(v)
	return strings.Join(v, ",")
}

// TestCorpusZeek compares with Zeek's dhcp.log. Zeek merges the messages
// of one transaction id across flows into one row; the dissector can only
// merge within a flow, and a DISCOVER/OFFER/REQUEST/ACK exchange usually
// spans two to four flows (the client broadcasts from 0.0.0.0:68, the
// server answers to the offered address or to the broadcast address). So
// the test first merges our records by transaction id over the trace, in
// time order, splitting after maxTypes message types as Zeek's
// DHCP::max_msg_types_per_log_entry does (8 in the flood trace's test, 50
// by default), and joins each row to the first unused merged exchange with
// its MAC and the same message types (compared as a multiset: the order
// across flows is lost), else to the first unused one with its MAC. The
// fields are then compared as the parser's eval_test.go does (client_addr
// and server_addr, which Zeek takes from the connections, are not).
//
// It also reports, without scoring, how many Zeek rows are one record of
// ours exactly (same message types in the same order): the rows whose
// exchange stayed within one flow.
func TestCorpusZeek(t *testing.T) {
	corpus := testutil.CorpusDir(t)
	ty := testutil.NewTally()
	exact, rows := 0, 0
	for _, trace := range testutil.ZeekTraces(t, "dhcp") {
		maxTypes := 50
		if strings.Contains(trace, "dhcp_flood") {
			maxTypes = 8
		}
		recs := sensortest.Run(t, filepath.Join(corpus, "pcap/zeek", trace)).Datasets(record.DatasetDHCP)
		sort.SliceStable(recs, func(i, j int) bool { return str(recs[i], "@timestamp") < str(recs[j], "@timestamp") })
		var xs []*exchange
		open := map[string]*exchange{}
		for _, r := range recs {
			xid, types := str(r, "dhcp.transaction_id"), testutil.Strs(sensortest.Get(r, "dhcp.msg_types"))
			x := open[xid]
			if x == nil || len(x.types)+len(types) > maxTypes {
				x = &exchange{xid: xid}
				open[xid] = x
				xs = append(xs, x)
			}
			if x.mac == "" {
				x.mac = str(r, "dhcp.client_mac")
			}
			x.types = append(x.types, types...)
			x.recs = append(x.recs, r)
		}
		for i, z := range testutil.ReadJSONL(t, filepath.Join(corpus, "truth/zeek", trace, "dhcp.jsonl")) {
			where := fmt.Sprintf("%s#%d", trace, i)
			want := testutil.Strs(z["msg_types"])
			rows++
			for _, r := range recs {
				if slices.Equal(want, testutil.Strs(sensortest.Get(r, "dhcp.msg_types"))) && str(r, "dhcp.client_mac") == testutil.Str(z["mac"]) {
					exact++
					break
				}
			}
			var x *exchange
			for _, c := range xs {
				if !c.used && c.mac == testutil.Str(z["mac"]) && sorted(c.types) == sorted(want) {
					x = c
					break
				}
			}
			for _, c := range xs {
				if x == nil && !c.used && c.mac == testutil.Str(z["mac"]) {
					x = c
				}
			}
			if x == nil {
				ty.Check(where, "row", "joined", "missing")
				continue
			}
			x.used = true
			ty.Check(where, "mac", testutil.Str(z["mac"]), x.mac)
			ty.Check(where, "msg_types", sorted(want), sorted(x.types))
			ty.Check(where, "host_name", testutil.Str(z["host_name"]), x.last("dhcp.host_name"))
			ty.Check(where, "domain", testutil.Str(z["domain"]), x.last("dhcp.domain"))
			ty.Check(where, "requested_addr", testutil.Str(z["requested_addr"]), x.last("dhcp.requested_addr"))
			ty.Check(where, "assigned_addr", testutil.Str(z["assigned_addr"]), x.last("dhcp.assigned_addr"))
			ty.Check(where, "lease_time", testutil.Str(z["lease_time"]), x.last("dhcp.lease_time"))
			ty.Check(where, "server_message", testutil.Str(z["server_message"]), x.last("dhcp.message"))
			ty.Check(where, "client_fqdn", testutil.Str(z["client_fqdn"]), x.last("dhcp.client_fqdn"))
		}
	}
	t.Logf("Zeek rows that are exactly one record (the exchange stayed in one flow): %d/%d (%.2f%%), not scored", exact, rows, testutil.Pct(exact, rows))
	ty.Report(t, "Zeek dhcp", 97)
}

// TestCorpusNDPI checks network.protocol on every flow nDPI labels DHCP by
// DPI, and nDPI's host name (nDPI prints it lower case) against the flow's
// records.
func TestCorpusNDPI(t *testing.T) {
	corpus := testutil.CorpusDir(t)
	ty := testutil.NewTally()
	runs := map[string]sensortest.Result{}
	for _, n := range testutil.NDPIRows(t, "DHCP") {
		res, ok := runs[n.Pcap]
		if !ok {
			res = sensortest.Run(t, filepath.Join(corpus, "pcap/ndpi", n.Pcap))
			runs[n.Pcap] = res
		}
		where := n.Pcap + " " + n.Key().String()
		var flow map[string]any
		var hosts []string
		for _, r := range res.Records {
			k := testutil.TupleKey("UDP", str(r, "source.ip"), str(r, "source.port"), str(r, "destination.ip"), str(r, "destination.port"))
			if k != n.Key() {
				continue
			}
			switch sensortest.Get(r, "event.dataset") {
			case string(record.DatasetFlow):
				flow = r
			case string(record.DatasetDHCP):
				hosts = append(hosts, strings.ToLower(str(r, "dhcp.host_name")))
			}
		}
		ty.Check(where, "network.protocol", "dhcp", str(flow, "network.protocol"))
		if n.Hostname != "" {
			got := ""
			if slices.Contains(hosts, n.Hostname) {
				got = n.Hostname
			}
			ty.Check(where, "hostname", n.Hostname, got)
		}
	}
	ty.Report(t, "nDPI dhcp", 97)
}
