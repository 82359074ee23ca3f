package flow_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flowsift/flowsift/internal/capture"
	"github.com/flowsift/flowsift/internal/capture/pcapfile"
	"github.com/flowsift/flowsift/internal/decode"
	"github.com/flowsift/flowsift/internal/flow"
	"github.com/flowsift/flowsift/internal/record"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// collect is a sink that keeps deep copies of the records it is handed.
type collect struct{ recs []record.Record }

func (c *collect) Consume(batch []record.Record) {
	for _, r := range batch {
		r.Flow.PatternSizes = slices.Clone(r.Flow.PatternSizes)
		r.Flow.PatternIATMicros = slices.Clone(r.Flow.PatternIATMicros)
		r.Flow.Tunnel.Types = slices.Clone(r.Flow.Tunnel.Types)
		r.Flow.MPLS = slices.Clone(r.Flow.MPLS)
		c.recs = append(c.recs, r)
	}
}

const (
	flagFIN = record.TCPFlagFIN
	flagSYN = record.TCPFlagSYN
	flagRST = record.TCPFlagRST
	flagPSH = record.TCPFlagPSH
	flagACK = record.TCPFlagACK
)

var (
	hostA = netip.MustParseAddr("192.0.2.10")
	hostB = netip.MustParseAddr("198.51.100.20")
	t0    = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
)

// at returns packet time t0+d in nanoseconds.
func at(d time.Duration) int64 { return t0.Add(d).UnixNano() }

// tcp builds a TCP packet with 20-byte IP and TCP headers.
func tcp(ts int64, src netip.Addr, sp uint16, dst netip.Addr, dp uint16, flags uint8, payload int) decode.Packet {
	return decode.Packet{Timestamp: ts, IPVersion: 4, Src: src, Dst: dst, Proto: 6, SrcPort: sp, DstPort: dp, HasPorts: true,
		TCPFlags: flags, IPLen: 40 + payload, PayloadLen: payload}
}

func udp(ts int64, src netip.Addr, sp uint16, dst netip.Addr, dp uint16, payload int) decode.Packet {
	return decode.Packet{Timestamp: ts, IPVersion: 4, Src: src, Dst: dst, Proto: 17, SrcPort: sp, DstPort: dp, HasPorts: true,
		IPLen: 28 + payload, PayloadLen: payload}
}

func icmp(ts int64, src, dst netip.Addr, typ uint8) decode.Packet {
	return decode.Packet{Timestamp: ts, IPVersion: 4, Src: src, Dst: dst, Proto: 1, ICMPType: typ, IPLen: 84, PayloadLen: 56}
}

func newTable(t *testing.T, cfg flow.Config) (*flow.Table, *collect) {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	c := &collect{}
	return flow.New(cfg, flow.Deps{Sink: c, Observer: "test"}), c
}

func addAll(tb *flow.Table, pkts ...decode.Packet) {
	for i := range pkts {
		tb.Add(&pkts[i])
	}
}

// conn summarizes a record for comparisons.
type conn struct {
	Src, Dst         string
	SrcPkts, DstPkts uint64
	SrcBytes         uint64
	DstBytes         uint64
	History          string
	EndReason        string
	Interim          bool
}

func summarize(r *record.Record) conn {
	ep := func(e record.Endpoint) string {
		if e.HasPort {
			return netip.AddrPortFrom(e.IP, e.Port).String()
		}
		return e.IP.String()
	}
	return conn{Src: ep(r.Source), Dst: ep(r.Destination), SrcPkts: r.Source.Packets, DstPkts: r.Destination.Packets,
		SrcBytes: r.Source.Bytes, DstBytes: r.Destination.Bytes, History: r.Flow.History, EndReason: r.Flow.EndReason,
		Interim: r.Flow.Interim}
}

func summaries(recs []record.Record) []conn {
	out := make([]conn, len(recs))
	for i := range recs {
		out[i] = summarize(&recs[i])
	}
	return out
}

// TestInitiator checks which side becomes the source: the SYN sender for
// TCP, whatever order the capture shows, and otherwise the first sender
// unless only the other side uses a well-known (server) port.
func TestInitiator(t *testing.T) {
	tests := []struct {
		name string
		pkts func() []decode.Packet
		want []conn
	}{
		{
			name: "syn first",
			pkts: func() []decode.Packet {
				return []decode.Packet{
					tcp(at(0), hostA, 40000, hostB, 80, flagSYN, 0),
					tcp(at(time.Millisecond), hostB, 80, hostA, 40000, flagSYN|flagACK, 0),
					tcp(at(2*time.Millisecond), hostA, 40000, hostB, 80, flagACK, 0),
				}
			},
			want: []conn{{Src: "192.0.2.10:40000", Dst: "198.51.100.20:80", SrcPkts: 2, DstPkts: 1, SrcBytes: 80, DstBytes: 40,
				History: "ShA", EndReason: flow.EndInput}},
		},
		{
			// Capture reordering: the SYN-ACK is seen before the SYN.
			name: "syn-ack seen before the syn",
			pkts: func() []decode.Packet {
				return []decode.Packet{
					tcp(at(0), hostB, 80, hostA, 40000, flagSYN|flagACK, 0),
					tcp(at(time.Millisecond), hostA, 40000, hostB, 80, flagSYN, 0),
					tcp(at(2*time.Millisecond), hostA, 40000, hostB, 80, flagACK, 0),
				}
			},
			want: []conn{{Src: "192.0.2.10:40000", Dst: "198.51.100.20:80", SrcPkts: 2, DstPkts: 1, SrcBytes: 80, DstBytes: 40,
				History: "^hSA", EndReason: flow.EndInput}},
		},
		{
			// The SYN decides even against the port heuristic.
			name: "syn from a well-known port",
			pkts: func() []decode.Packet {
				return []decode.Packet{tcp(at(0), hostA, 443, hostB, 50000, flagSYN, 0)}
			},
			want: []conn{{Src: "192.0.2.10:443", Dst: "198.51.100.20:50000", SrcPkts: 1, SrcBytes: 40, History: "S", EndReason: flow.EndInput}},
		},
		{
			name: "mid-stream tcp, server speaks first",
			pkts: func() []decode.Packet {
				return []decode.Packet{
					tcp(at(0), hostB, 443, hostA, 51000, flagACK|flagPSH, 100),
					tcp(at(time.Millisecond), hostA, 51000, hostB, 443, flagACK, 0),
				}
			},
			want: []conn{{Src: "192.0.2.10:51000", Dst: "198.51.100.20:443", SrcPkts: 1, DstPkts: 1, SrcBytes: 40, DstBytes: 140,
				History: "^dA", EndReason: flow.EndInput}},
		},
		{
			name: "mid-stream tcp, both ports high: first sender",
			pkts: func() []decode.Packet {
				return []decode.Packet{
					tcp(at(0), hostB, 40001, hostA, 51000, flagACK, 10),
					tcp(at(time.Millisecond), hostA, 51000, hostB, 40001, flagACK, 0),
				}
			},
			want: []conn{{Src: "198.51.100.20:40001", Dst: "192.0.2.10:51000", SrcPkts: 1, DstPkts: 1, SrcBytes: 50, DstBytes: 40,
				History: "Da", EndReason: flow.EndInput}},
		},
		{
			name: "udp response seen first",
			pkts: func() []decode.Packet {
				return []decode.Packet{
					udp(at(0), hostB, 123, hostA, 40000, 48),
					udp(at(time.Millisecond), hostA, 40000, hostB, 123, 48),
				}
			},
			want: []conn{{Src: "192.0.2.10:40000", Dst: "198.51.100.20:123", SrcPkts: 1, DstPkts: 1, SrcBytes: 76, DstBytes: 76,
				History: "^dD", EndReason: flow.EndInput}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb, c := newTable(t, flow.DefaultConfig())
			addAll(tb, tt.pkts()...)
			tb.Flush()
			if diff := cmp.Diff(tt.want, summaries(c.recs)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func handshake(start time.Duration) []decode.Packet {
	return []decode.Packet{
		tcp(at(start), hostA, 40000, hostB, 80, flagSYN, 0),
		tcp(at(start+time.Millisecond), hostB, 80, hostA, 40000, flagSYN|flagACK, 0),
		tcp(at(start+2*time.Millisecond), hostA, 40000, hostB, 80, flagACK, 0),
		tcp(at(start+3*time.Millisecond), hostA, 40000, hostB, 80, flagACK|flagPSH, 100),
		tcp(at(start+4*time.Millisecond), hostB, 80, hostA, 40000, flagACK, 0),
		tcp(at(start+5*time.Millisecond), hostB, 80, hostA, 40000, flagACK|flagPSH, 500),
	}
}

// TestTCPClose checks the end of TCP flows: FIN from both sides or a RST
// closes the flow, packets within TCPClose after the close still count,
// the record comes out TCPClose after the close, and a new SYN on the same
// 5-tuple starts a new flow.
func TestTCPClose(t *testing.T) {
	cfg := flow.DefaultConfig()
	cfg.TCPClose = 5 * time.Second

	t.Run("fin, late ack, then timer", func(t *testing.T) {
		tb, c := newTable(t, cfg)
		addAll(tb, handshake(0)...)
		addAll(tb,
			tcp(at(10*time.Millisecond), hostA, 40000, hostB, 80, flagFIN|flagACK, 0),
			tcp(at(11*time.Millisecond), hostB, 80, hostA, 40000, flagFIN|flagACK, 0),
			tcp(at(2*time.Second), hostA, 40000, hostB, 80, flagACK, 0), // late ACK
		)
		tb.Advance(at(4 * time.Second))
		if len(c.recs) != 0 {
			t.Fatalf("record before the close delay: %+v", summaries(c.recs))
		}
		tb.Advance(at(5*time.Second + 11*time.Millisecond))
		want := []conn{{Src: "192.0.2.10:40000", Dst: "198.51.100.20:80", SrcPkts: 5, DstPkts: 4, SrcBytes: 5*40 + 100,
			DstBytes: 4*40 + 500, History: "ShADadFf", EndReason: flow.EndFIN}}
		if diff := cmp.Diff(want, summaries(c.recs)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if st := tb.Stats(); st.ActiveFlows != 0 || st.Flows != 1 {
			t.Errorf("stats %+v, want no live flows and 1 flow", st)
		}
	})

	t.Run("rst", func(t *testing.T) {
		tb, c := newTable(t, cfg)
		addAll(tb, handshake(0)...)
		addAll(tb, tcp(at(10*time.Millisecond), hostB, 80, hostA, 40000, flagRST, 0))
		tb.Advance(at(6 * time.Second))
		want := []conn{{Src: "192.0.2.10:40000", Dst: "198.51.100.20:80", SrcPkts: 3, DstPkts: 4, SrcBytes: 3*40 + 100,
			DstBytes: 4*40 + 500, History: "ShADadr", EndReason: flow.EndRST}}
		if diff := cmp.Diff(want, summaries(c.recs)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})

	t.Run("new syn after close is a new flow", func(t *testing.T) {
		tb, c := newTable(t, cfg)
		addAll(tb, handshake(0)...)
		addAll(tb,
			tcp(at(10*time.Millisecond), hostA, 40000, hostB, 80, flagFIN|flagACK, 0),
			tcp(at(11*time.Millisecond), hostB, 80, hostA, 40000, flagFIN|flagACK, 0),
		)
		addAll(tb, handshake(time.Second)...) // same 5-tuple, within the close delay
		tb.Flush()
		got := summaries(c.recs)
		want := []conn{
			{Src: "192.0.2.10:40000", Dst: "198.51.100.20:80", SrcPkts: 4, DstPkts: 4, SrcBytes: 4*40 + 100, DstBytes: 4*40 + 500,
				History: "ShADadFf", EndReason: flow.EndFIN},
			{Src: "192.0.2.10:40000", Dst: "198.51.100.20:80", SrcPkts: 3, DstPkts: 3, SrcBytes: 3*40 + 100, DstBytes: 3*40 + 500,
				History: "ShADad", EndReason: flow.EndInput},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if len(c.recs) == 2 && c.recs[0].Flow.ID == c.recs[1].Flow.ID {
			t.Errorf("both connections have flow.id %s", c.recs[0].Flow.ID)
		}
		if st := tb.Stats(); st.PortReuse != 1 || st.Flows != 2 {
			t.Errorf("PortReuse = %d, Flows = %d; want 1, 2", st.PortReuse, st.Flows)
		}
	})
}

// TestIdleTimeouts starts one flow per transport and checks that each ends
// after its own idle timeout, not before.
func TestIdleTimeouts(t *testing.T) {
	cfg := flow.DefaultConfig()
	cfg.ActiveTimeout = 0
	cfg.TCPIdle, cfg.UDPIdle, cfg.DNSIdle, cfg.ICMPIdle, cfg.OtherIdle = 300*time.Second, 60*time.Second, 10*time.Second, 30*time.Second, 20*time.Second
	tb, c := newTable(t, cfg)
	gre := decode.Packet{Timestamp: at(0), IPVersion: 4, Src: hostA, Dst: hostB, Proto: 47, IPLen: 100}
	addAll(tb,
		tcp(at(0), hostA, 40000, hostB, 22, flagSYN, 0),
		udp(at(0), hostA, 40001, hostB, 443, 100),
		udp(at(0), hostA, 40002, hostB, 53, 30),
		icmp(at(0), hostA, hostB, 8),
		gre,
	)
	steps := []struct {
		at   time.Duration
		want []string // transports ended so far, in order
	}{
		{9 * time.Second, nil},
		{10 * time.Second, []string{"udp"}}, // DNS
		{19 * time.Second, []string{"udp"}},
		{20 * time.Second, []string{"udp", "gre"}},
		{30 * time.Second, []string{"udp", "gre", "icmp"}},
		{59 * time.Second, []string{"udp", "gre", "icmp"}},
		{60 * time.Second, []string{"udp", "gre", "icmp", "udp"}},
		{299 * time.Second, []string{"udp", "gre", "icmp", "udp"}},
		{300 * time.Second, []string{"udp", "gre", "icmp", "udp", "tcp"}},
	}
	for _, s := range steps {
		tb.Advance(at(s.at))
		var got []string
		for _, r := range c.recs {
			got = append(got, r.Network.Transport)
			if r.Flow.EndReason != flow.EndIdle {
				t.Errorf("%s record ended by %q, want %q", r.Network.Transport, r.Flow.EndReason, flow.EndIdle)
			}
		}
		if diff := cmp.Diff(s.want, got); diff != "" {
			t.Fatalf("at +%v (-want +got):\n%s", s.at, diff)
		}
	}
	if len(c.recs) == 5 && c.recs[0].Destination.Port != 53 {
		t.Errorf("first flow to end is to port %d, want the DNS flow", c.recs[0].Destination.Port)
	}
	// Activity pushes the timeout back.
	tb2, c2 := newTable(t, cfg)
	for i := range 10 {
		addAll(tb2, udp(at(time.Duration(i)*50*time.Second), hostA, 40001, hostB, 443, 100))
	}
	tb2.Advance(at(9*50*time.Second + 59*time.Second))
	if len(c2.recs) != 0 {
		t.Errorf("active UDP flow ended: %+v", summaries(c2.recs))
	}
	tb2.Advance(at(9*50*time.Second + 60*time.Second))
	if len(c2.recs) != 1 || c2.recs[0].Source.Packets != 10 {
		t.Errorf("want one record of 10 packets, got %+v", summaries(c2.recs))
	}
}

// TestActiveTimeout checks interim records of a long flow: they say
// interim, share the flow id, and their counts add up to the whole flow.
func TestActiveTimeout(t *testing.T) {
	cfg := flow.DefaultConfig()
	cfg.ActiveTimeout = time.Minute
	tb, c := newTable(t, cfg)
	const n = 100
	var wantPkts, wantBytes [2]uint64
	for i := range n {
		ts := at(time.Duration(i) * 3 * time.Second) // 297 s in all
		if i%3 == 2 {
			addAll(tb, udp(ts, hostB, 4500, hostA, 4500, 200))
			wantPkts[1]++
			wantBytes[1] += 228
		} else {
			addAll(tb, udp(ts, hostA, 4500, hostB, 4500, 100))
			wantPkts[0]++
			wantBytes[0] += 128
		}
	}
	tb.Flush()
	if len(c.recs) < 4 {
		t.Fatalf("got %d records, want interim records every minute of a 297 s flow", len(c.recs))
	}
	var pkts, bytes [2]uint64
	for i, r := range c.recs {
		last := i == len(c.recs)-1
		if r.Flow.Interim == last {
			t.Errorf("record %d: interim = %v", i, r.Flow.Interim)
		}
		wantReason := flow.EndActive
		if last {
			wantReason = flow.EndInput
		}
		if r.Flow.EndReason != wantReason {
			t.Errorf("record %d: end reason %q, want %q", i, r.Flow.EndReason, wantReason)
		}
		if r.Flow.ID != c.recs[0].Flow.ID {
			t.Errorf("record %d: flow.id %s, want %s", i, r.Flow.ID, c.recs[0].Flow.ID)
		}
		if r.Source.IP != hostA {
			t.Errorf("record %d: source %v, want %v", i, r.Source.IP, hostA)
		}
		if d := r.Event.End.Sub(r.Event.Start); d > time.Minute {
			t.Errorf("record %d covers %v, more than the active timeout", i, d)
		}
		if i > 0 && r.Event.Start.Before(c.recs[i-1].Event.End) {
			t.Errorf("record %d starts at %v, before the previous one ends at %v", i, r.Event.Start, c.recs[i-1].Event.End)
		}
		pkts[0] += r.Source.Packets
		pkts[1] += r.Destination.Packets
		bytes[0] += r.Source.Bytes
		bytes[1] += r.Destination.Bytes
	}
	if pkts != wantPkts || bytes != wantBytes {
		t.Errorf("records sum to packets %v bytes %v, want %v %v", pkts, bytes, wantPkts, wantBytes)
	}
	if st := tb.Stats(); st.Interim != uint64(len(c.recs)-1) || st.Records != uint64(len(c.recs)) {
		t.Errorf("stats Interim %d Records %d, want %d %d", st.Interim, st.Records, len(c.recs)-1, len(c.recs))
	}
}

type countSink struct{ n, pkts uint64 }

func (c *countSink) Consume(batch []record.Record) {
	for i := range batch {
		c.n++
		c.pkts += batch[i].Source.Packets + batch[i].Destination.Packets
	}
}

// TestEviction fills the table past MaxFlows: the least recently active
// flows are ended and counted, live flows never exceed the limit, and
// memory stays bounded.
func TestEviction(t *testing.T) {
	cfg := flow.DefaultConfig()
	cfg.MaxFlows = 1000
	sink := &countSink{}
	tb := flow.New(cfg, flow.Deps{Sink: sink})
	addr := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}) }
	add := func(i, total int) {
		p := udp(at(time.Duration(i)*time.Microsecond), addr(i), 40000, hostB, 443, 10)
		tb.Add(&p)
		if st := tb.Stats(); st.ActiveFlows > cfg.MaxFlows {
			t.Fatalf("after %d flows: %d live, more than MaxFlows %d", i+1, st.ActiveFlows, cfg.MaxFlows)
		}
	}
	for i := range 5000 { // warm up the free list and the map
		add(i, 5000)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	const total = 200000
	for i := 5000; i < total; i++ {
		add(i, total)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	st := tb.Stats()
	if st.Evicted != total-uint64(cfg.MaxFlows) {
		t.Errorf("Evicted = %d, want %d", st.Evicted, total-cfg.MaxFlows)
	}
	if st.PeakFlows > cfg.MaxFlows {
		t.Errorf("PeakFlows = %d > MaxFlows", st.PeakFlows)
	}
	// 195,000 more flows through a table of 1000: the live heap must not
	// grow with them (an unbounded table would hold ~100 MB).
	if grow := int64(after.HeapAlloc) - int64(before.HeapAlloc); grow > 8<<20 { //nolint:gosec // heap sizes fit int64
		t.Errorf("heap grew by %d bytes while the table was full", grow)
	}
	tb.Flush()
	if sink.n != total || sink.pkts != total {
		t.Errorf("sink got %d records of %d packets, want %d of %d", sink.n, sink.pkts, total, total)
	}

	// The evicted flow is the least recently active one.
	cfg.MaxFlows = 2
	c := &collect{}
	tb = flow.New(cfg, flow.Deps{Sink: c})
	addAll(tb,
		udp(at(0), hostA, 1000, hostB, 53, 10),
		udp(at(time.Millisecond), hostA, 1001, hostB, 53, 10),
		udp(at(2*time.Millisecond), hostA, 1000, hostB, 53, 10), // 1000 is active again
		udp(at(3*time.Millisecond), hostA, 1002, hostB, 53, 10), // evicts 1001
	)
	if len(c.recs) != 0 {
		t.Fatalf("eviction records are batched until a flush: %+v", summaries(c.recs))
	}
	tb.Advance(at(4 * time.Millisecond))
	if len(c.recs) != 1 || c.recs[0].Source.Port != 1001 || c.recs[0].Flow.EndReason != flow.EndEvict {
		t.Errorf("want flow from port 1001 evicted, got %+v", summaries(c.recs))
	}
}

// TestICMP checks that an echo request and its reply are one flow whose
// source is the requester, whichever is seen first.
func TestICMP(t *testing.T) {
	for _, tt := range []struct {
		name string
		pkts []decode.Packet
	}{
		{"request first", []decode.Packet{icmp(at(0), hostA, hostB, 8), icmp(at(time.Millisecond), hostB, hostA, 0),
			icmp(at(time.Second), hostA, hostB, 8), icmp(at(time.Second+time.Millisecond), hostB, hostA, 0)}},
		{"reply first", []decode.Packet{icmp(at(0), hostB, hostA, 0), icmp(at(time.Second), hostA, hostB, 8),
			icmp(at(time.Second+time.Millisecond), hostB, hostA, 0), icmp(at(2*time.Second), hostA, hostB, 8)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tb, c := newTable(t, flow.DefaultConfig())
			addAll(tb, tt.pkts...)
			tb.Flush()
			if len(c.recs) != 1 {
				t.Fatalf("got %d records, want 1: %+v", len(c.recs), summaries(c.recs))
			}
			r := c.recs[0]
			if r.Source.IP != hostA || r.Destination.IP != hostB || r.Source.Packets != 2 || r.Destination.Packets != 2 {
				t.Errorf("got %+v, want %v → %v with 2 packets each way", summarize(&r), hostA, hostB)
			}
			if r.Network.Transport != "icmp" || !r.ICMP.Has || r.Source.HasPort {
				t.Errorf("network %+v icmp %+v hasPort %v", r.Network, r.ICMP, r.Source.HasPort)
			}
		})
	}
	// A one-way message (destination unreachable) is not merged with echo.
	tb, c := newTable(t, flow.DefaultConfig())
	addAll(tb, icmp(at(0), hostA, hostB, 8), icmp(at(time.Millisecond), hostB, hostA, 3))
	tb.Flush()
	if len(c.recs) != 2 {
		t.Errorf("echo request and unreachable: %d records, want 2", len(c.recs))
	}
}

// TestPattern checks flow.pattern.*: IP lengths, directions and gaps of
// the first PatternPackets packets.
func TestPattern(t *testing.T) {
	cfg := flow.DefaultConfig()
	cfg.PatternPackets = 4
	tb, c := newTable(t, cfg)
	addAll(tb,
		tcp(at(0), hostA, 40000, hostB, 80, flagSYN, 0),
		tcp(at(1500*time.Microsecond), hostB, 80, hostA, 40000, flagSYN|flagACK, 0),
		tcp(at(1700*time.Microsecond), hostA, 40000, hostB, 80, flagACK, 0),
		tcp(at(2*time.Second), hostA, 40000, hostB, 80, flagACK|flagPSH, 300),
		tcp(at(3*time.Second), hostB, 80, hostA, 40000, flagACK|flagPSH, 1000), // past PatternPackets
	)
	tb.Flush()
	if len(c.recs) != 1 {
		t.Fatalf("got %d records", len(c.recs))
	}
	f := c.recs[0].Flow
	type pattern struct {
		Sizes []int32
		Dirs  string
		IAT   []int32
	}
	want := pattern{Sizes: []int32{40, 40, 40, 340}, Dirs: "sdss", IAT: []int32{0, 1500, 200, 2_000_000 - 1700}}
	if diff := cmp.Diff(want, pattern{f.PatternSizes, f.PatternDirections, f.PatternIATMicros}); diff != "" {
		t.Errorf("pattern (-want +got):\n%s", diff)
	}

	// When the direction flips (SYN-ACK first), the directions follow.
	tb, c = newTable(t, cfg)
	addAll(tb,
		tcp(at(0), hostB, 80, hostA, 40000, flagSYN|flagACK, 0),
		tcp(at(time.Millisecond), hostA, 40000, hostB, 80, flagACK, 0),
	)
	tb.Flush()
	if got := c.recs[0].Flow.PatternDirections; got != "ds" {
		t.Errorf("directions after flip = %q, want ds", got)
	}
}

// TestHistory checks Zeek-style history letters: upper case from the
// source, lower case from the destination, each letter once per side.
func TestHistory(t *testing.T) {
	tests := []struct {
		name string
		pkts []decode.Packet
		want string
	}{
		{"handshake data close", append(handshake(0),
			tcp(at(time.Second), hostA, 40000, hostB, 80, flagFIN|flagACK, 0),
			tcp(at(time.Second+time.Millisecond), hostB, 80, hostA, 40000, flagFIN|flagACK, 0)), "ShADadFf"},
		{"rejected", []decode.Packet{
			tcp(at(0), hostA, 40000, hostB, 80, flagSYN, 0),
			tcp(at(time.Millisecond), hostB, 80, hostA, 40000, flagRST|flagACK, 0)}, "Sr"},
		{"repeated letters once", []decode.Packet{
			tcp(at(0), hostA, 40000, hostB, 80, flagSYN, 0),
			tcp(at(time.Second), hostA, 40000, hostB, 80, flagSYN, 0),
			tcp(at(2*time.Second), hostA, 40000, hostB, 80, flagSYN, 0)}, "S"},
		{"udp both ways", []decode.Packet{udp(at(0), hostA, 5000, hostB, 5001, 10), udp(at(1), hostB, 5001, hostA, 5000, 10)}, "Dd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb, c := newTable(t, flow.DefaultConfig())
			addAll(tb, tt.pkts...)
			tb.Flush()
			if len(c.recs) != 1 {
				t.Fatalf("got %d records", len(c.recs))
			}
			if got := c.recs[0].Flow.History; got != tt.want {
				t.Errorf("history %q, want %q", got, tt.want)
			}
		})
	}
}

// TestVLANSeparates checks that the same 5-tuple on two VLANs is two flows.
func TestVLANSeparates(t *testing.T) {
	tb, c := newTable(t, flow.DefaultConfig())
	p1 := udp(at(0), hostA, 5000, hostB, 5001, 10)
	p2 := p1
	p2.VLAN = 7
	addAll(tb, p1, p2)
	tb.Flush()
	if len(c.recs) != 2 {
		t.Fatalf("got %d records, want 2", len(c.recs))
	}
	vlans := []uint16{c.recs[0].Network.VLAN, c.recs[1].Network.VLAN}
	slices.Sort(vlans)
	if !slices.Equal(vlans, []uint16{0, 7}) {
		t.Errorf("VLANs %v, want [0 7]", vlans)
	}
}

// --- golden tests: testdata/<case>.pcap → <case>.golden.jsonl ---

// canonical re-encodes a record's JSON with sorted keys and without the
// fields that change from run to run (event.id) or machine to machine
// (observer).
func canonical(t *testing.T, line []byte) []byte {
	t.Helper()
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(line))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatalf("%v: %s", err, line)
	}
	if ev, ok := m["event"].(map[string]any); ok {
		delete(ev, "id")
	}
	delete(m, "observer")
	out, err := json.Marshal(m) // maps marshal with sorted keys
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// runCapture reads a capture through the real pcapfile → decode → flow
// path and returns one canonical JSON line per record.
func runCapture(t *testing.T, name string) []byte {
	t.Helper()
	src, err := pcapfile.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = src.Close() }()
	c := &collect{}
	tb := flow.New(flow.DefaultConfig(), flow.Deps{Sink: c, Observer: "golden"})
	dec := decode.New(decode.DefaultConfig())
	var fr capture.Frame
	var p decode.Packet
	for {
		err := src.Next(&fr)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if dec.Decode(fr.Data, fr.Link, fr.Timestamp, fr.WireLen, &p) == decode.OK {
			tb.Add(&p)
		}
	}
	tb.Flush()
	var out bytes.Buffer
	for i := range c.recs {
		out.Write(canonical(t, c.recs[i].AppendJSON(nil)))
		out.WriteByte('\n')
	}
	return out.Bytes()
}

func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.pcap*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden captures in testdata/")
	}
	for _, in := range files {
		name := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(in), ".pcapng"), ".pcap")
		t.Run(name, func(t *testing.T) {
			got := runCapture(t, in)
			golden := filepath.Join("testdata", name+".golden.jsonl")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil { //nolint:gosec // test data
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/flow -run TestGolden -update)", err)
			}
			if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(got), "\n")); diff != "" {
				t.Errorf("%s differs (-want +got):\n%s", golden, diff)
			}
		})
	}
}
