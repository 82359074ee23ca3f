package ftp

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"os"
	"sort"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// This file is a deliberately simple test-only flow reader (the same in
// every dissect/<proto> package, which may not import each other): TCP payloads
// per direction concatenated in sequence order (first gap ends the stream),
// UDP payloads kept as datagrams. The real reassembly lives in internal/flow.

type endpoint struct {
	addr netip.Addr
	port uint16
}

type flowKey struct {
	l4   string
	a, b endpoint // a < b
}

func (e endpoint) less(o endpoint) bool {
	if c := e.addr.Compare(o.addr); c != 0 {
		return c < 0
	}
	return e.port < o.port
}

func (e endpoint) String() string { return netip.AddrPortFrom(e.addr, e.port).String() }

type segment struct {
	seq  uint32
	data []byte
}

type packet struct {
	side   int
	seq    uint32
	data   []byte
	ack    uint32
	hasAck bool
}

// delivery is a run of in-order bytes of one direction, as a simple
// reassembler would hand it to a parser after the packet arrived, or
// (data nil) a gap of that many bytes the capture never filled.
type delivery struct {
	side int
	data []byte
	gap  int
}

// maxOutOfOrder is how many segments wait behind a hole before the
// reassembler gives up on it and reports a gap.
const maxOutOfOrder = 16

// deliveries replays the TCP segments in capture order through a minimal
// per-direction reassembler: a segment is delivered when it is next in
// sequence (buffered segments that become contiguous follow it); overlaps
// are trimmed. A hole is reported as a gap and skipped when the other side
// acknowledges data beyond it (the receiver got what the capture missed,
// which is how Zeek detects content gaps), when maxOutOfOrder segments
// wait behind it, or at the end of the capture.
func (f *testFlow) deliveries() []delivery {
	var next [2]uint32
	var started [2]bool
	var pending [2][]packet
	var out []delivery
	for side := range 2 {
		if f.syn[side] {
			next[side], started[side] = f.isn[side]+1, true
		}
	}
	drain := func(sd int) {
		for progress := true; progress; {
			progress = false
			for i := 0; i < len(pending[sd]); i++ {
				q := pending[sd][i]
				off := int32(q.seq - next[sd])
				end := off + int32(len(q.data))
				if end <= 0 { // old data: retransmission
					pending[sd] = append(pending[sd][:i], pending[sd][i+1:]...)
					i--
					continue
				}
				if off > 0 {
					continue
				}
				out = append(out, delivery{side: sd, data: q.data[-off:]})
				next[sd] += uint32(end)
				pending[sd] = append(pending[sd][:i], pending[sd][i+1:]...)
				progress = true
				break
			}
		}
	}
	skip := func(sd int) {
		lowest := int32(-1)
		for _, q := range pending[sd] {
			if off := int32(q.seq - next[sd]); lowest < 0 || off < lowest {
				lowest = off
			}
		}
		if lowest > 0 {
			out = append(out, delivery{side: sd, gap: int(lowest)})
			next[sd] += uint32(lowest)
		}
		drain(sd)
	}
	for _, p := range f.pkts {
		sd := p.side
		if od := 1 - sd; p.hasAck && started[od] && len(pending[od]) > 0 && int32(p.ack-next[od]) > 0 {
			skip(od)
		}
		if len(p.data) == 0 {
			continue
		}
		if !started[sd] {
			next[sd], started[sd] = p.seq, true
		}
		pending[sd] = append(pending[sd], p)
		drain(sd)
		if len(pending[sd]) > maxOutOfOrder {
			skip(sd)
		}
	}
	for sd := range 2 {
		for len(pending[sd]) > 0 {
			skip(sd)
		}
	}
	return out
}

// clientSide guesses which side opened the connection: the SYN sender,
// else the side that did not send SYN+ACK, else the first sender.
func (f *testFlow) clientSide() int {
	switch {
	case f.synAck[0]:
		return 1
	case f.synAck[1]:
		return 0
	case f.first == f.key.a:
		return 0
	}
	return 1
}

type testFlow struct {
	key    flowKey
	first  endpoint // first sender
	order  int
	segs   [2][]segment // index 0: sent by a, 1: sent by b
	pkts   []packet     // TCP payload segments in capture order
	synAck [2]bool      // side sent a SYN+ACK (so it is the server)
	syn    [2]bool
	isn    [2]uint32
	grams  [][]byte // UDP payloads in capture order
	gramsA []bool   // whether each datagram was sent by a
}

// stream returns the in-order payload sent by side (0 = a, 1 = b).
func (f *testFlow) stream(side int) []byte {
	segs := f.segs[side]
	if len(segs) == 0 {
		return nil
	}
	base := segs[0].seq
	if f.syn[side] {
		base = f.isn[side] + 1
	} else {
		for _, s := range segs {
			if int32(s.seq-base) < 0 {
				base = s.seq
			}
		}
	}
	sort.SliceStable(segs, func(i, j int) bool { return int32(segs[i].seq-base) < int32(segs[j].seq-base) })
	var out []byte
	next := uint32(0)
	for _, s := range segs {
		off := s.seq - base
		if int32(off) < 0 {
			continue
		}
		if off > next {
			break // gap
		}
		skip := next - off
		if int(skip) >= len(s.data) {
			continue
		}
		out = append(out, s.data[skip:]...)
		next = off + uint32(len(s.data))
	}
	return out
}

// readFlows reads a pcap or pcapng file into flows in order of first packet.
func readFlows(path string) ([]*testFlow, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var src interface {
		ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
	}
	var lt layers.LinkType
	if bytes.HasPrefix(raw, []byte{0x0a, 0x0d, 0x0d, 0x0a}) {
		r, err := pcapgo.NewNgReader(bytes.NewReader(raw), pcapgo.DefaultNgReaderOptions)
		if err != nil {
			return nil, err
		}
		src, lt = r, r.LinkType()
	} else {
		r, err := pcapgo.NewReader(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			return nil, err
		}
		src, lt = r, r.LinkType()
	}
	flows := map[flowKey]*testFlow{}
	var order []*testFlow
	for {
		data, _, err := src.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			break // truncated captures end early
		}
		pkt := gopacket.NewPacket(data, lt, gopacket.DecodeOptions{Lazy: true, NoCopy: true})
		// Tunnels (VXLAN, GTP, …): the innermost IP and transport layers win.
		var srcA, dstA netip.Addr
		var s, d endpoint
		var l4 string
		var payload []byte
		var tcp *layers.TCP
		frag := false
		for _, l := range pkt.Layers() {
			switch v := l.(type) {
			case *layers.IPv4:
				frag = v.Flags&layers.IPv4MoreFragments != 0 || v.FragOffset != 0
				srcA, _ = netip.AddrFromSlice(v.SrcIP)
				dstA, _ = netip.AddrFromSlice(v.DstIP)
			case *layers.IPv6:
				frag = false
				srcA, _ = netip.AddrFromSlice(v.SrcIP)
				dstA, _ = netip.AddrFromSlice(v.DstIP)
			case *layers.TCP:
				tcp, l4, payload = v, "TCP", v.Payload
				s, d = endpoint{srcA.Unmap(), uint16(v.SrcPort)}, endpoint{dstA.Unmap(), uint16(v.DstPort)}
			case *layers.UDP:
				tcp, l4, payload = nil, "UDP", v.Payload
				s, d = endpoint{srcA.Unmap(), uint16(v.SrcPort)}, endpoint{dstA.Unmap(), uint16(v.DstPort)}
			}
		}
		if l4 == "" || frag {
			continue
		}
		k := flowKey{l4: l4, a: s, b: d}
		side := 0
		if d.less(s) {
			k.a, k.b, side = d, s, 1
		}
		f := flows[k]
		if f == nil {
			f = &testFlow{key: k, first: s, order: len(order)}
			flows[k] = f
			order = append(order, f)
		}
		if tcp != nil {
			if tcp.SYN {
				f.syn[side], f.isn[side] = true, tcp.Seq
				f.synAck[side] = f.synAck[side] || tcp.ACK
			}
			var d []byte
			if len(payload) > 0 {
				d = append([]byte(nil), payload...)
				f.segs[side] = append(f.segs[side], segment{tcp.Seq, d})
			}
			f.pkts = append(f.pkts, packet{side, tcp.Seq, d, tcp.Ack, tcp.ACK})
		} else if len(payload) > 0 {
			f.grams = append(f.grams, append([]byte(nil), payload...))
			f.gramsA = append(f.gramsA, side == 0)
		}
	}
	return order, nil
}

func (k flowKey) String() string { return fmt.Sprintf("%s %s-%s", k.l4, k.a, k.b) }
