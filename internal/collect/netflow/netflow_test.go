package netflow_test

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	gfnetflow "github.com/netsampler/goflow2/v2/decoders/netflow"

	"github.com/flowsift/flowsift/internal/collect/netflow"
	"github.com/flowsift/flowsift/internal/record"
)

// ipfixMsg builds an IPFIX message from sets.
func ipfixMsg(exportS, seq, domain uint32, sets ...[]byte) []byte {
	body := bytes.Join(sets, nil)
	b := binary.BigEndian.AppendUint16(nil, 10)
	b = binary.BigEndian.AppendUint16(b, uint16(16+len(body)))
	b = binary.BigEndian.AppendUint32(b, exportS)
	b = binary.BigEndian.AppendUint32(b, seq)
	b = binary.BigEndian.AppendUint32(b, domain)
	return append(b, body...)
}

// v9Msg builds a NetFlow v9 packet from flowsets.
func v9Msg(uptimeMs, exportS, seq, source uint32, sets ...[]byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, 9)
	b = binary.BigEndian.AppendUint16(b, uint16(len(sets)))
	for _, x := range []uint32{uptimeMs, exportS, seq, source} {
		b = binary.BigEndian.AppendUint32(b, x)
	}
	return append(b, bytes.Join(sets, nil)...)
}

func set(id uint16, body []byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, id)
	b = binary.BigEndian.AppendUint16(b, uint16(4+len(body)))
	return append(b, body...)
}

type ie struct {
	id, length uint16
	pen        uint32
}

func tmpl(id uint16, fields ...ie) []byte {
	b := binary.BigEndian.AppendUint16(nil, id)
	b = binary.BigEndian.AppendUint16(b, uint16(len(fields)))
	for _, f := range fields {
		t := f.id
		if f.pen != 0 {
			t |= 0x8000
		}
		b = binary.BigEndian.AppendUint16(b, t)
		b = binary.BigEndian.AppendUint16(b, f.length)
		if f.pen != 0 {
			b = binary.BigEndian.AppendUint32(b, f.pen)
		}
	}
	return b
}

// The template of most tests: addresses, ports, protocol, counters,
// absolute times, and the RFC 5103 reverse counters.
var basicTemplate = tmpl(300,
	ie{id: 8, length: 4}, ie{id: 12, length: 4}, ie{id: 7, length: 2}, ie{id: 11, length: 2},
	ie{id: 4, length: 1}, ie{id: 1, length: 8}, ie{id: 2, length: 4}, ie{id: 152, length: 8},
	ie{id: 153, length: 8}, ie{id: 1, length: 4, pen: 29305}, ie{id: 2, length: 4, pen: 29305},
	ie{id: 6, length: 1}, ie{id: 10, length: 4})

func basicRecord(src, dst string, sport, dport uint16, octets, pkts uint64, start time.Time) []byte {
	s, d := netip.MustParseAddr(src).As4(), netip.MustParseAddr(dst).As4()
	b := append(s[:], d[:]...)
	b = binary.BigEndian.AppendUint16(b, sport)
	b = binary.BigEndian.AppendUint16(b, dport)
	b = append(b, 6)
	b = binary.BigEndian.AppendUint64(b, octets)
	b = binary.BigEndian.AppendUint32(b, uint32(pkts))
	b = binary.BigEndian.AppendUint64(b, uint64(start.UnixMilli()))
	b = binary.BigEndian.AppendUint64(b, uint64(start.Add(1500*time.Millisecond).UnixMilli()))
	b = binary.BigEndian.AppendUint32(b, uint32(octets*3))
	b = binary.BigEndian.AppendUint32(b, uint32(pkts*2))
	b = append(b, 0x12) // SYN ACK
	return binary.BigEndian.AppendUint32(b, 7)
}

var exporter = netip.MustParseAddr("192.0.2.1")

func newDecoder(t testing.TB) *netflow.Decoder {
	t.Helper()
	d, err := netflow.New(netflow.DefaultConfig(), netflow.Deps{Observer: "collector", Tenant: "default"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestIPFIXBiflowRecord(t *testing.T) {
	d := newDecoder(t)
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	msg := ipfixMsg(uint32(start.Unix())+60, 1, 42, set(2, basicTemplate),
		set(300, basicRecord("10.0.0.1", "198.51.100.7", 50000, 443, 1000, 10, start)))
	recs, err := d.Decode(exporter, msg, nil)
	if err != nil || len(recs) != 1 {
		t.Fatalf("Decode = %d records, %v", len(recs), err)
	}
	r := recs[0]
	checks := []struct {
		name      string
		got, want any
	}{
		{"dataset", r.Event.Dataset, record.DatasetNetFlow},
		{"source.ip", r.Source.IP, netip.MustParseAddr("10.0.0.1")},
		{"destination.port", r.Destination.Port, uint16(443)},
		{"transport", r.Network.Transport, "tcp"},
		{"source.bytes", r.Source.Bytes, uint64(1000)},
		{"destination.bytes (reverse IE)", r.Destination.Bytes, uint64(3000)},
		{"destination.packets (reverse IE)", r.Destination.Packets, uint64(20)},
		{"start", r.Event.Start, start},
		{"end", r.Event.End, start.Add(1500 * time.Millisecond)},
		{"@timestamp", r.Timestamp, start},
		{"exporter", r.NetFlow.Exporter, exporter},
		{"domain", r.NetFlow.DomainID, uint32(42)},
		{"in interface", r.NetFlow.InInterface, uint32(7)},
		{"tcp flags", record.TCPFlagsString(r.Flow.SourceTCPFlags), "SA"},
		{"protocol", r.NetFlow.Protocol, "ipfix"},
		{"raw bytes", r.NetFlow.RawBytes, uint64(4000)},
		{"community id", r.Network.CommunityID != "", true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

// TestSamplingFromOptions: an options data record announces 1-in-100
// sampling for the domain; the counters are scaled, the raw ones kept.
func TestSamplingFromOptions(t *testing.T) {
	d := newDecoder(t)
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	// Options template 400: scope observationDomainId (149), options
	// samplingPacketInterval (305) and samplingPacketSpace (306).
	opt := binary.BigEndian.AppendUint16(nil, 400)
	opt = binary.BigEndian.AppendUint16(opt, 3)
	opt = binary.BigEndian.AppendUint16(opt, 1)
	for _, f := range [][2]uint16{{149, 4}, {305, 4}, {306, 4}} {
		opt = binary.BigEndian.AppendUint16(opt, f[0])
		opt = binary.BigEndian.AppendUint16(opt, f[1])
	}
	data := binary.BigEndian.AppendUint32(nil, 42)
	data = binary.BigEndian.AppendUint32(data, 1)
	data = binary.BigEndian.AppendUint32(data, 99)
	msg := ipfixMsg(uint32(start.Unix()), 1, 42, set(3, opt), set(400, data), set(2, basicTemplate),
		set(300, basicRecord("10.0.0.1", "198.51.100.7", 50000, 443, 1000, 10, start)))
	recs, err := d.Decode(exporter, msg, nil)
	if err != nil || len(recs) != 1 {
		t.Fatalf("Decode = %d records, %v", len(recs), err)
	}
	r := recs[0]
	if r.NetFlow.SamplingRate != 100 || r.Source.Bytes != 100_000 || r.Source.Packets != 1000 || r.NetFlow.RawBytes != 4000 {
		t.Errorf("rate %d, bytes %d, packets %d, raw bytes %d; want 100, 100000, 1000, 4000",
			r.NetFlow.SamplingRate, r.Source.Bytes, r.Source.Packets, r.NetFlow.RawBytes)
	}
}

// TestTemplateLifecycle: data before its template is held and decoded
// when the template comes; a withdrawn template stops decoding; the
// bounds on held sets count what they drop.
func TestTemplateLifecycle(t *testing.T) {
	d := newDecoder(t)
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	rec := set(300, basicRecord("10.0.0.1", "198.51.100.7", 50000, 443, 1000, 10, start))
	recs, err := d.Decode(exporter, ipfixMsg(1, 1, 1, rec), nil)
	if err != nil || len(recs) != 0 || d.PendingSets() != 1 {
		t.Fatalf("data before template: %d records, %d held, %v", len(recs), d.PendingSets(), err)
	}
	recs, err = d.Decode(exporter, ipfixMsg(2, 2, 1, set(2, basicTemplate)), nil)
	if err != nil || len(recs) != 1 || d.PendingSets() != 0 {
		t.Fatalf("template after data: %d records, %d held, %v", len(recs), d.PendingSets(), err)
	}
	// Another exporter's or domain's template does not apply.
	if recs, _ = d.Decode(netip.MustParseAddr("192.0.2.2"), ipfixMsg(3, 1, 1, rec), nil); len(recs) != 0 {
		t.Errorf("another exporter's data decoded with this exporter's template")
	}
	// Withdrawal: template 300 with field count 0.
	withdraw := binary.BigEndian.AppendUint16(nil, 300)
	withdraw = binary.BigEndian.AppendUint16(withdraw, 0)
	if _, err := d.Decode(exporter, ipfixMsg(4, 3, 1, set(2, withdraw)), nil); err != nil {
		t.Fatal(err)
	}
	if recs, _ = d.Decode(exporter, ipfixMsg(5, 3, 1, rec), nil); len(recs) != 0 {
		t.Errorf("data decoded after its template was withdrawn")
	}
	st := d.Stats()
	if st.Withdrawals != 1 || st.Backfilled != 1 {
		t.Errorf("stats %+v: want 1 withdrawal, 1 backfilled set", st)
	}

	// Bounds: at most 2 held sets; the third pushes the oldest out.
	cfg := netflow.DefaultConfig()
	cfg.MaxPending = 2
	small, err := netflow.New(cfg, netflow.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := small.Decode(exporter, ipfixMsg(1, uint32(i), 1, rec), nil); err != nil {
			t.Fatal(err)
		}
	}
	if st := small.Stats(); small.PendingSets() != 2 || st.NoTemplate != 1 {
		t.Errorf("held %d, dropped %d; want 2 held, 1 dropped", small.PendingSets(), st.NoTemplate)
	}
}

// TestSequenceGaps: v9 numbers packets; two missing packets are counted.
func TestSequenceGaps(t *testing.T) {
	d := newDecoder(t)
	tpl := set(0, tmpl(260, ie{id: 8, length: 4}, ie{id: 12, length: 4}, ie{id: 4, length: 1}))
	for _, seq := range []uint32{10, 11, 14, 15} {
		if _, err := d.Decode(exporter, v9Msg(1000, 2000, seq, 0, tpl), nil); err != nil {
			t.Fatal(err)
		}
	}
	if st := d.Stats(); st.SequenceGaps != 1 || st.Lost != 2 {
		t.Errorf("gaps %d, lost %d; want 1 gap of 2 packets", st.SequenceGaps, st.Lost)
	}
}

// TestV9UptimeTimes: v9 times are milliseconds of the exporter's uptime,
// placed with the header's uptime and export time.
func TestV9UptimeTimes(t *testing.T) {
	d := newDecoder(t)
	tpl := set(0, tmpl(260, ie{id: 8, length: 4}, ie{id: 12, length: 4}, ie{id: 4, length: 1},
		ie{id: 22, length: 4}, ie{id: 21, length: 4}, ie{id: 2, length: 4}, ie{id: 1, length: 4}))
	data := []byte{10, 0, 0, 1, 10, 0, 0, 2, 17}
	data = binary.BigEndian.AppendUint32(data, 50_000) // first: 10 s before export
	data = binary.BigEndian.AppendUint32(data, 59_000)
	data = binary.BigEndian.AppendUint32(data, 3)
	data = binary.BigEndian.AppendUint32(data, 300)
	export := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	recs, err := d.Decode(exporter, v9Msg(60_000, uint32(export.Unix()), 1, 5, tpl, set(260, data)), nil)
	if err != nil || len(recs) != 1 {
		t.Fatalf("Decode = %d records, %v", len(recs), err)
	}
	if r := recs[0]; !r.Event.Start.Equal(export.Add(-10*time.Second)) || !r.Event.End.Equal(export.Add(-time.Second)) {
		t.Errorf("start %s end %s; want %s and %s", r.Event.Start, r.Event.End, export.Add(-10*time.Second), export.Add(-time.Second))
	}
}

// TestMalformed: truncated and hostile packets give errors, not panics,
// and keep the records decoded before the fault.
func TestMalformed(t *testing.T) {
	d := newDecoder(t)
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	good := ipfixMsg(1, 1, 1, set(2, basicTemplate), set(300, basicRecord("10.0.0.1", "10.0.0.2", 1, 2, 3, 4, start)))
	for name, p := range map[string][]byte{
		"empty":             nil,
		"version 7":         {0, 7, 0, 0},
		"short ipfix":       good[:10],
		"length past end":   append(good[:2:2], 0xff, 0xff),
		"set past end":      append(bytes.Clone(good), 1, 44, 0, 200),
		"truncated record":  good[:len(good)-3],
		"huge field count":  ipfixMsg(1, 1, 1, set(2, []byte{1, 44, 0xff, 0xff, 0, 8, 0, 4})),
		"short v9":          {0, 9, 0, 1},
		"v5 claims 30 recs": append([]byte{0, 5, 0, 30}, make([]byte, 20+48)...),
	} {
		recs, err := d.Decode(exporter, p, nil)
		t.Logf("%s: %d records, %v", name, len(recs), err)
	}
	if st := d.Stats(); st.DecodeErrors == 0 || st.UnknownVersion != 1 {
		t.Errorf("stats %+v: want decode errors and one unknown version", st)
	}
}

func FuzzDecode(f *testing.F) {
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	f.Add(ipfixMsg(1, 1, 1, set(2, basicTemplate), set(300, basicRecord("10.0.0.1", "10.0.0.2", 1, 2, 3, 4, start))))
	f.Add(v9Msg(1, 2, 3, 4, set(0, tmpl(260, ie{id: 8, length: 4}, ie{id: 12, length: 4})), set(260, make([]byte, 16))))
	f.Add(ipfixMsg(1, 1, 1, set(2, tmpl(301, ie{id: 8, length: 4}, ie{id: 82, length: 0xffff})), set(301, []byte{1, 2, 3, 4, 255, 0, 3, 'a', 'b', 'c'})))
	f.Add(append([]byte{0, 5, 0, 1}, make([]byte, 20+48)...))
	f.Fuzz(func(t *testing.T, p []byte) {
		d := newDecoder(t)
		// Twice: the second pass runs with whatever templates the first
		// left behind.
		for range 2 {
			recs, _ := d.Decode(exporter, p, nil)
			for i := range recs {
				if recs[i].Event.Dataset != record.DatasetNetFlow {
					t.Fatalf("record %d has dataset %q", i, recs[i].Event.Dataset)
				}
			}
		}
	})
}

// benchPackets returns IPFIX packets of 30 records each: a dense export.
func benchPackets(n int) [][]byte {
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	out := [][]byte{ipfixMsg(1, 0, 1, set(2, basicTemplate))}
	for p := range n {
		var recs []byte
		for i := range 30 {
			recs = append(recs, basicRecord("10.0.0.1", "198.51.100.7", uint16(1024+i), 443, 1000, 10, start.Add(time.Duration(p)*time.Second))...)
		}
		out = append(out, ipfixMsg(uint32(start.Unix()), uint32(p*30), 1, set(300, recs)))
	}
	return out
}

// BenchmarkDecode: IPFIX flows decoded into records per second, and
// goflow2's own decoding of the same packets into its structures (what
// using its DecodeMessageVersion for data sets would cost).
func BenchmarkDecode(b *testing.B) {
	pkts := benchPackets(100)
	b.Run("impl=flowsift", func(b *testing.B) {
		d := newDecoder(b)
		var out []record.Record
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			for _, p := range pkts {
				out, _ = d.Decode(exporter, p, out[:0])
				n += len(out)
			}
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "flows/s")
	})
	b.Run("impl=goflow2-decoder", func(b *testing.B) {
		ts := gfnetflow.CreateTemplateSystem()
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			for _, p := range pkts {
				var v9 gfnetflow.NFv9Packet
				var ipfix gfnetflow.IPFIXPacket
				if err := gfnetflow.DecodeMessageVersion(bytes.NewBuffer(p), ts, &v9, &ipfix); err != nil {
					b.Fatal(err)
				}
				for _, fs := range ipfix.FlowSets {
					if ds, ok := fs.(gfnetflow.DataFlowSet); ok {
						n += len(ds.Records)
					}
				}
			}
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "flows/s")
	})
}
