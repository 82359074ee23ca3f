package ntp

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"os"

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
	side int
	seq  uint32
	data []byte
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
			if len(payload) > 0 {
				d := append([]byte(nil), payload...)
				f.segs[side] = append(f.segs[side], segment{tcp.Seq, d})
				f.pkts = append(f.pkts, packet{side, tcp.Seq, d})
			}
		} else if len(payload) > 0 {
			f.grams = append(f.grams, append([]byte(nil), payload...))
			f.gramsA = append(f.gramsA, side == 0)
		}
	}
	return order, nil
}

func (k flowKey) String() string { return fmt.Sprintf("%s %s-%s", k.l4, k.a, k.b) }
