package flow_test

import (
	"encoding/json"
	"net/netip"
	"testing"
	"time"

	"github.com/flowsift/flowsift/internal/decode"
	"github.com/flowsift/flowsift/internal/flow"
	"github.com/flowsift/flowsift/internal/record"
)

// fuzzSink checks every record it is handed and sums the packets.
type fuzzSink struct {
	t     *testing.T
	pkts  uint64
	bytes uint64
	recs  int
	buf   []byte
}

func (s *fuzzSink) Consume(batch []record.Record) {
	for i := range batch {
		r := &batch[i]
		s.pkts += r.Source.Packets + r.Destination.Packets
		s.bytes += r.Source.Bytes + r.Destination.Bytes
		s.recs++
		if !r.Source.IP.IsValid() || !r.Destination.IP.IsValid() {
			s.t.Fatalf("record without addresses: %+v", r)
		}
		if r.Event.End.Before(r.Event.Start) {
			s.t.Fatalf("record ends %v before it starts %v", r.Event.End, r.Event.Start)
		}
		if len(r.Flow.PatternSizes) != len(r.Flow.PatternDirections) || len(r.Flow.PatternSizes) != len(r.Flow.PatternIATMicros) {
			s.t.Fatalf("pattern arrays of different lengths: %+v", r.Flow)
		}
		s.buf = r.AppendJSON(s.buf[:0])
		if !json.Valid(s.buf) {
			s.t.Fatalf("invalid JSON: %s", s.buf)
		}
	}
}

// fuzzHosts are few, so that packets collide into the same flows.
var fuzzHosts = [...]netip.Addr{
	netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("10.0.0.3"),
	netip.MustParseAddr("2001:db8::1"),
}

var fuzzPorts = [...]uint16{53, 80, 40000, 40001}

// packetBytes is how many input bytes make one packet.
const packetBytes = 5

// FuzzTable turns the input into a sequence of packets between a few
// hosts and ports (TCP with arbitrary flags, UDP, ICMP, GRE; VLANs; UDP
// tunnel carriers; time steps forward, backward and across timeouts) and
// feeds them to a table with a small MaxFlows. It checks that nothing
// panics, live flows stay within MaxFlows, every record is sane, and after
// Flush the records count exactly the packets added.
func FuzzTable(f *testing.F) {
	f.Add([]byte{0x02, 0x00, 0x05, 0x01, 0x00, 0x12, 0x00, 0x50, 0x01, 0x00, 0x10, 0x00, 0x05, 0x01, 0x00})
	f.Add([]byte{0x11, 0x08, 0x00, 0xff, 0x00, 0x11, 0x00, 0x00, 0x01, 0x80})
	f.Add([]byte{0x20, 0x08, 0x00, 0x10, 0x00, 0x21, 0x00, 0x00, 0x10, 0x00, 0x30, 0, 0, 0x7f, 0})
	f.Add(make([]byte, 64*packetBytes))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096*packetBytes || len(data) < 1 {
			return
		}
		cfg := flow.DefaultConfig()
		cfg.MaxFlows = 1 + int(data[0]%8)
		cfg.TCPIdle, cfg.TCPClose, cfg.UDPIdle, cfg.DNSIdle = 30*time.Second, 2*time.Second, 10*time.Second, 5*time.Second
		cfg.ICMPIdle, cfg.OtherIdle, cfg.ActiveTimeout = 10*time.Second, 10*time.Second, 20*time.Second
		cfg.PatternPackets = int(data[0] >> 3 % (flow.MaxPattern + 1))
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		sink := &fuzzSink{t: t}
		tb := flow.New(cfg, flow.Deps{Sink: sink})
		data = data[1:]
		ts := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
		var added, bytes uint64
		for len(data) >= packetBytes {
			b := data[:packetBytes]
			data = data[packetBytes:]
			// b[3]: time step; the top bit steps back a little.
			step := int64(b[3]&0x7f) * int64(250*time.Millisecond)
			if b[3]&0x80 != 0 {
				step = -step / 4
			}
			ts += step
			src, dst := fuzzHosts[b[0]&3], fuzzHosts[b[0]>>2&3]
			if src.Is6() != dst.Is6() {
				dst = src
			}
			p := decode.Packet{Timestamp: ts, IPVersion: 4, Src: src, Dst: dst}
			if src.Is6() {
				p.IPVersion = 6
			}
			switch b[0] >> 4 & 3 {
			case 0:
				p.Proto, p.TCPFlags = 6, b[1]
			case 1:
				p.Proto = 17
			case 2:
				p.Proto, p.ICMPType, p.ICMPCode = 1, b[1]&0x1f, b[1]>>5
				if p.IPVersion == 6 {
					p.Proto, p.ICMPType = 58, 128+b[1]&0x0f
				}
			case 3:
				p.Proto = 47
			}
			if p.Proto == 6 || p.Proto == 17 {
				p.SrcPort, p.DstPort, p.HasPorts = fuzzPorts[b[2]&3], fuzzPorts[b[2]>>2&3], true
			}
			if b[2]&0x10 != 0 {
				p.VLAN = 10
			}
			p.PayloadLen = int(b[4])
			p.IPLen = 40 + p.PayloadLen
			p.Reassembled = b[2]&0x20 != 0
			if b[0]&0x40 != 0 && b[0]&0x80 != 0 && p.IPVersion == 4 {
				// A tunnelled packet: its UDP carrier is counted as a flow too.
				p.TunnelDepth, p.Tunnels[0], p.TunnelSrc, p.TunnelDst = 1, decode.TunnelVXLAN, fuzzHosts[2], fuzzHosts[1]
				p.NumCarriers = 1
				p.Carriers[0] = decode.Carrier{Src: fuzzHosts[2], Dst: fuzzHosts[1], SrcPort: 50000, DstPort: 4789,
					IPLen: p.IPLen + 50, PayloadLen: p.IPLen + 22}
				added++
				bytes += uint64(p.IPLen + 50) //nolint:gosec // small
			}
			tb.Add(&p)
			added++
			bytes += uint64(p.IPLen) //nolint:gosec // small
			st := tb.Stats()
			if st.ActiveFlows > cfg.MaxFlows {
				t.Fatalf("%d live flows, MaxFlows %d", st.ActiveFlows, cfg.MaxFlows)
			}
			if b[1]&0x80 != 0 && b[3] == 0 {
				tb.Advance(ts) // a heartbeat now and then
			}
		}
		tb.Flush()
		st := tb.Stats()
		if st.ActiveFlows != 0 {
			t.Fatalf("%d live flows after Flush", st.ActiveFlows)
		}
		if sink.pkts != added || st.Packets != added {
			t.Fatalf("records count %d packets, stats %d, added %d", sink.pkts, st.Packets, added)
		}
		if sink.bytes != bytes {
			t.Fatalf("records count %d bytes, added %d", sink.bytes, bytes)
		}
		if uint64(sink.recs) != st.Records {
			t.Fatalf("sink got %d records, stats say %d", sink.recs, st.Records)
		}
		if st.PeakFlows > cfg.MaxFlows {
			t.Fatalf("PeakFlows %d > MaxFlows %d", st.PeakFlows, cfg.MaxFlows)
		}
	})
}
