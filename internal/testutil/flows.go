package testutil

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

// Endpoint is one side of a flow.
type Endpoint struct {
	Addr netip.Addr
	Port uint16
}

// Less orders endpoints by address, then port.
func (e Endpoint) Less(o Endpoint) bool {
	if c := e.Addr.Compare(o.Addr); c != 0 {
		return c < 0
	}
	return e.Port < o.Port
}

func (e Endpoint) String() string { return netip.AddrPortFrom(e.Addr, e.Port).String() }

// FlowKey identifies a bidirectional flow: L4 is "TCP" or "UDP", A < B.
type FlowKey struct {
	L4   string
	A, B Endpoint
}

func (k FlowKey) String() string { return fmt.Sprintf("%s %s-%s", k.L4, k.A, k.B) }

// Segment is a TCP payload and its sequence number.
type Segment struct {
	Seq  uint32
	Data []byte
}

// Packet is a TCP segment in capture order, with or without payload.
type Packet struct {
	Side   int
	Seq    uint32
	Data   []byte
	Ack    uint32
	HasAck bool
}

// Datagram is a UDP payload with its packet number in the capture
// (1-based, counting every packet read).
type Datagram struct {
	Order int
	Data  []byte
}

// Flow is what ReadFlows collects about one bidirectional flow. Side 0 is
// the packets sent by Key.A, side 1 those sent by Key.B.
type Flow struct {
	Key      FlowKey
	First    Endpoint // first sender
	Order    int
	Segs     [2][]Segment // TCP payload segments per side
	Pkts     []Packet     // TCP packets in capture order, pure ACKs included
	SynAck   [2]bool      // side sent a SYN+ACK (so it is the server)
	Syn      [2]bool
	ISN      [2]uint32
	Grams    [][]byte   // UDP payloads in capture order
	GramsSeq []Datagram // the same with their packet number in the capture
	GramsA   []bool     // whether each datagram was sent by A
}

// Delivery is a run of in-order bytes of one direction, as a simple
// reassembler would hand it to a parser after the packet arrived, or
// (Data nil) a gap of Gap bytes the capture never filled.
type Delivery struct {
	Side int
	Data []byte
	Gap  int
}

// MaxOutOfOrder is how many segments wait behind a hole before the
// reassembler gives up on it and reports a gap, as Zeek does.
const MaxOutOfOrder = 16

// Deliveries replays the TCP segments in capture order through a minimal
// per-direction reassembler: a segment is delivered when it is next in
// sequence (buffered segments that become contiguous follow it); overlaps
// are trimmed; a hole that stays open behind MaxOutOfOrder segments, or
// at the end of the capture, is reported as a gap and skipped.
func (f *Flow) Deliveries() []Delivery { return f.deliveries(false) }

// DeliveriesAckGaps is Deliveries that also reports a hole as a gap when
// the other side acknowledges data beyond it (the receiver got what the
// capture missed, which is how Zeek detects content gaps).
func (f *Flow) DeliveriesAckGaps() []Delivery { return f.deliveries(true) }

func (f *Flow) deliveries(ackGaps bool) []Delivery {
	var next [2]uint32
	var started [2]bool
	var pending [2][]Packet
	var out []Delivery
	for side := range 2 {
		if f.Syn[side] {
			next[side], started[side] = f.ISN[side]+1, true
		}
	}
	drain := func(sd int) {
		for progress := true; progress; {
			progress = false
			for i := 0; i < len(pending[sd]); i++ {
				q := pending[sd][i]
				off := int32(q.Seq - next[sd])
				end := off + int32(len(q.Data))
				if end <= 0 { // old data: retransmission
					pending[sd] = append(pending[sd][:i], pending[sd][i+1:]...)
					i--
					continue
				}
				if off > 0 {
					continue
				}
				out = append(out, Delivery{Side: sd, Data: q.Data[-off:]})
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
			if off := int32(q.Seq - next[sd]); lowest < 0 || off < lowest {
				lowest = off
			}
		}
		if lowest > 0 {
			out = append(out, Delivery{Side: sd, Gap: int(lowest)})
			next[sd] += uint32(lowest)
		}
		drain(sd)
	}
	for _, p := range f.Pkts {
		sd := p.Side
		if od := 1 - sd; ackGaps && p.HasAck && started[od] && len(pending[od]) > 0 && int32(p.Ack-next[od]) > 0 {
			skip(od)
		}
		if len(p.Data) == 0 {
			continue
		}
		if !started[sd] {
			next[sd], started[sd] = p.Seq, true
		}
		pending[sd] = append(pending[sd], p)
		drain(sd)
		if len(pending[sd]) > MaxOutOfOrder {
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

// ClientSide guesses which side opened the connection: the SYN sender,
// else the side that did not send SYN+ACK, else the first sender.
func (f *Flow) ClientSide() int {
	switch {
	case f.SynAck[0]:
		return 1
	case f.SynAck[1]:
		return 0
	case f.First == f.Key.A:
		return 0
	}
	return 1
}

// Stream returns the in-order payload sent by side (0 = A, 1 = B); the
// first gap ends it.
func (f *Flow) Stream(side int) []byte {
	segs := f.Segs[side]
	if len(segs) == 0 {
		return nil
	}
	base := segs[0].Seq
	if f.Syn[side] {
		base = f.ISN[side] + 1
	} else {
		for _, s := range segs {
			if int32(s.Seq-base) < 0 {
				base = s.Seq
			}
		}
	}
	sort.SliceStable(segs, func(i, j int) bool { return int32(segs[i].Seq-base) < int32(segs[j].Seq-base) })
	var out []byte
	next := uint32(0)
	for _, s := range segs {
		off := s.Seq - base
		if int32(off) < 0 {
			continue
		}
		if off > next {
			break // gap
		}
		skip := next - off
		if int(skip) >= len(s.Data) {
			continue
		}
		out = append(out, s.Data[skip:]...)
		next = off + uint32(len(s.Data))
	}
	return out
}

// ReadFlows reads a pcap or pcapng file into flows in order of first
// packet. Tunnels (VXLAN, GTP, …): the innermost IP and transport layers
// win. IPv4 fragments are ignored, and a truncated capture ends early.
func ReadFlows(path string) ([]*Flow, error) {
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
	flows := map[FlowKey]*Flow{}
	pktNo := 0
	var order []*Flow
	for {
		data, _, err := src.ReadPacketData()
		pktNo++
		if err == io.EOF {
			break
		}
		if err != nil {
			break // truncated captures end early
		}
		pkt := gopacket.NewPacket(data, lt, gopacket.DecodeOptions{Lazy: true, NoCopy: true})
		var srcA, dstA netip.Addr
		var s, d Endpoint
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
				s, d = Endpoint{srcA.Unmap(), uint16(v.SrcPort)}, Endpoint{dstA.Unmap(), uint16(v.DstPort)}
			case *layers.UDP:
				tcp, l4, payload = nil, "UDP", v.Payload
				s, d = Endpoint{srcA.Unmap(), uint16(v.SrcPort)}, Endpoint{dstA.Unmap(), uint16(v.DstPort)}
			}
		}
		if l4 == "" || frag {
			continue
		}
		k := FlowKey{L4: l4, A: s, B: d}
		side := 0
		if d.Less(s) {
			k.A, k.B, side = d, s, 1
		}
		f := flows[k]
		if f == nil {
			f = &Flow{Key: k, First: s, Order: len(order)}
			flows[k] = f
			order = append(order, f)
		}
		if tcp != nil {
			if tcp.SYN {
				f.Syn[side], f.ISN[side] = true, tcp.Seq
				f.SynAck[side] = f.SynAck[side] || tcp.ACK
			}
			var d []byte
			if len(payload) > 0 {
				d = append([]byte(nil), payload...)
				f.Segs[side] = append(f.Segs[side], Segment{tcp.Seq, d})
			}
			f.Pkts = append(f.Pkts, Packet{side, tcp.Seq, d, tcp.Ack, tcp.ACK})
		} else if len(payload) > 0 {
			f.Grams = append(f.Grams, append([]byte(nil), payload...))
			f.GramsSeq = append(f.GramsSeq, Datagram{pktNo, f.Grams[len(f.Grams)-1]})
			f.GramsA = append(f.GramsA, side == 0)
		}
	}
	return order, nil
}
