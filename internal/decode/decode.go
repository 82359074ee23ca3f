package decode

import (
	"encoding/binary"
	"net/netip"

	"github.com/gopacket/gopacket/layers"
)

// Config bounds the decoder's memory.
type Config struct {
	Defrag DefragConfig `yaml:"defrag"`
}

// DefaultConfig returns working defaults.
func DefaultConfig() Config { return Config{Defrag: DefaultDefragConfig()} }

// Validate checks the configuration.
func (c Config) Validate() error { return c.Defrag.Validate() }

// Decoder decodes frames into packets. It keeps reusable header decoders
// and the fragment reassembly state, so it is not safe for concurrent use:
// give each worker its own.
type Decoder struct {
	ip4    layers.IPv4
	tcp    layers.TCP
	udp    layers.UDP
	gre    layers.GRE
	vxlan  layers.VXLAN
	fb     feedback
	defrag *Defragmenter
	saved  Packet // state before trying a UDP tunnel, restored when it is not one
	depth  int    // IP headers seen in this frame
}

// New returns a decoder.
func New(cfg Config) *Decoder {
	return &Decoder{defrag: NewDefragmenter(cfg.Defrag)}
}

// DefragStats returns the reassembly counters.
func (d *Decoder) DefragStats() DefragStats { return d.defrag.Stats() }

type feedback struct{ truncated bool }

func (f *feedback) SetTruncated() { f.truncated = true }

// Decode decodes one frame of the given link type captured at ts
// (nanoseconds). wireLen is the frame's original length. On OK the packet
// is filled; otherwise the reason says why there is no packet.
func (d *Decoder) Decode(data []byte, link LinkType, ts int64, wireLen int, p *Packet) Reason {
	*p = Packet{Timestamp: ts, CapLen: len(data), WireLen: wireLen}
	d.depth = 0
	d.defrag.now = ts
	return d.decodeLink(data, link, p)
}

// decodeLink decodes a frame of the given link type into p, whose timestamp
// and lengths are set.
func (d *Decoder) decodeLink(data []byte, link LinkType, p *Packet) Reason {
	switch link {
	case LinkEthernet:
		return d.ethernet(data, p, 0)
	case LinkRaw, LinkRawAlt1, LinkRawAlt2:
		return d.rawIP(data, p)
	case LinkIPv4:
		return d.ipv4(data, p)
	case LinkIPv6:
		return d.ipv6(data, p)
	case LinkNull, LinkLoop:
		if len(data) < 4 {
			return ReasonTruncated
		}
		fam := binary.LittleEndian.Uint32(data)
		if link == LinkLoop || fam > 0xffff {
			fam = binary.BigEndian.Uint32(data)
		}
		switch fam {
		case 2:
			return d.ipv4(data[4:], p)
		case 24, 28, 30:
			return d.ipv6(data[4:], p)
		}
		return ReasonNotIP
	case LinkLinuxSLL:
		if len(data) < 16 {
			return ReasonTruncated
		}
		if binary.BigEndian.Uint16(data[4:6]) == 6 {
			copy(p.SrcMAC[:], data[6:12])
		}
		return d.etherType(binary.BigEndian.Uint16(data[14:16]), data[16:], p, 0)
	case LinkLinuxSLL2:
		if len(data) < 20 {
			return ReasonTruncated
		}
		return d.etherType(binary.BigEndian.Uint16(data[0:2]), data[20:], p, 0)
	case LinkCHDLC:
		if len(data) < 4 {
			return ReasonTruncated
		}
		return d.etherType(binary.BigEndian.Uint16(data[2:4]), data[4:], p, 0)
	case LinkPPP:
		return d.ppp(data, p)
	case LinkPPI:
		// Per-Packet Information: version, flags, length and the link
		// type of what follows, little-endian.
		if len(data) < 8 {
			return ReasonTruncated
		}
		n := int(binary.LittleEndian.Uint16(data[2:4]))
		inner := LinkType(binary.LittleEndian.Uint32(data[4:8])) //nolint:gosec // link types are small
		if n < 8 || n > len(data) {
			return ReasonTruncated
		}
		if inner == LinkPPI {
			return ReasonMalformed
		}
		p.CapLen, p.WireLen = p.CapLen-n, p.WireLen-n
		return d.decodeLink(data[n:], inner, p)
	}
	return ReasonLinkType
}

func (d *Decoder) rawIP(data []byte, p *Packet) Reason {
	if len(data) < 1 {
		return ReasonTruncated
	}
	switch data[0] >> 4 {
	case 4:
		return d.ipv4(data, p)
	case 6:
		return d.ipv6(data, p)
	}
	return ReasonMalformed
}

func (d *Decoder) ethernet(data []byte, p *Packet, depth int) Reason {
	if len(data) < 14 {
		return ReasonTruncated
	}
	if !p.HasMAC {
		copy(p.DstMAC[:], data[0:6])
		copy(p.SrcMAC[:], data[6:12])
		p.HasMAC = true
	}
	return d.etherType(binary.BigEndian.Uint16(data[12:14]), data[14:], p, depth)
}

// etherType dispatches on an EtherType (or a PPP/SLL protocol that uses the
// same numbers). depth counts nested framings to bound loops.
func (d *Decoder) etherType(et uint16, data []byte, p *Packet, depth int) Reason {
	for range 16 {
		switch et {
		case 0x0800:
			return d.ipv4(data, p)
		case 0x86DD:
			return d.ipv6(data, p)
		case 0x8100, 0x88A8, 0x9100: // 802.1Q, 802.1ad, old QinQ
			if len(data) < 4 {
				return ReasonTruncated
			}
			id := binary.BigEndian.Uint16(data[0:2]) & 0x0fff
			switch {
			case p.VLAN == 0:
				p.VLAN = id
			case p.InnerVLAN == 0:
				p.InnerVLAN = id
			}
			et = binary.BigEndian.Uint16(data[2:4])
			data = data[4:]
		case 0x8847, 0x8848: // MPLS unicast, multicast
			return d.mpls(data, p, depth)
		case 0x8864: // PPPoE session
			if len(data) < 8 {
				return ReasonTruncated
			}
			return d.pppProto(binary.BigEndian.Uint16(data[6:8]), data[8:], p)
		case 0x6558: // transparent Ethernet bridging
			if depth > MaxTunnels {
				return ReasonTooDeep
			}
			return d.ethernet(data, p, depth+1)
		default:
			return ReasonNotIP
		}
	}
	return ReasonTooDeep
}

func (d *Decoder) mpls(data []byte, p *Packet, depth int) Reason {
	for i := 0; ; i++ {
		if i >= 16 {
			return ReasonTooDeep
		}
		if len(data) < 4 {
			return ReasonTruncated
		}
		v := binary.BigEndian.Uint32(data)
		if int(p.MPLSDepth) < MaxMPLS {
			p.MPLS[p.MPLSDepth] = v >> 12
			p.MPLSDepth++
		}
		data = data[4:]
		if v&0x100 != 0 { // bottom of stack
			break
		}
	}
	if len(data) < 1 {
		return ReasonTruncated
	}
	switch data[0] >> 4 {
	case 4:
		return d.ipv4(data, p)
	case 6:
		return d.ipv6(data, p)
	case 0: // pseudowire control word, then Ethernet
		if len(data) < 4 || depth > MaxTunnels {
			return ReasonTruncated
		}
		return d.ethernet(data[4:], p, depth+1)
	}
	return ReasonNotIP
}

func (d *Decoder) ppp(data []byte, p *Packet) Reason {
	if len(data) >= 4 && (data[0] == 0x0f || data[0] == 0x8f) && data[1] == 0x00 {
		// Cisco HDLC framing in a capture labelled PPP (as libpcap's
		// DLT_PPP_SERIAL and some routers write it).
		return d.etherType(binary.BigEndian.Uint16(data[2:4]), data[4:], p, 0)
	}
	if len(data) >= 2 && data[0] == 0xff && data[1] == 0x03 {
		data = data[2:]
	}
	if len(data) < 1 {
		return ReasonTruncated
	}
	if data[0]&1 == 1 { // protocol field compression: one byte
		return d.pppProto(uint16(data[0]), data[1:], p)
	}
	if len(data) < 2 {
		return ReasonTruncated
	}
	return d.pppProto(binary.BigEndian.Uint16(data), data[2:], p)
}

func (d *Decoder) pppProto(proto uint16, data []byte, p *Packet) Reason {
	switch proto {
	case 0x0021:
		return d.ipv4(data, p)
	case 0x0057:
		return d.ipv6(data, p)
	}
	return ReasonNotIP
}

// pushTunnel records that the IP header just decoded carries a tunnel.
func (d *Decoder) pushTunnel(p *Packet, kind uint8) Reason {
	if p.TunnelDepth >= MaxTunnels {
		return ReasonTooDeep
	}
	if p.TunnelDepth == 0 {
		p.TunnelSrc, p.TunnelDst = p.Src, p.Dst
	}
	p.Tunnels[p.TunnelDepth] = kind
	p.TunnelDepth++
	return OK
}

func (d *Decoder) enterIP(p *Packet) Reason {
	d.depth++
	if d.depth > MaxTunnels+1 {
		return ReasonTooDeep
	}
	// A new IP header starts a new transport context.
	p.HasPorts, p.SrcPort, p.DstPort, p.TCPFlags = false, 0, 0, 0
	p.Reassembled = false
	return OK
}

func (d *Decoder) ipv4(data []byte, p *Packet) Reason {
	if r := d.enterIP(p); r != OK {
		return r
	}
	d.fb.truncated = false
	ip := &d.ip4
	if len(data) >= 1 && data[0]>>4 != 4 {
		return ReasonMalformed
	}
	if err := ip.DecodeFromBytes(data, &d.fb); err != nil {
		if d.fb.truncated {
			return ReasonTruncated
		}
		return ReasonMalformed
	}
	if d.fb.truncated && p.CapLen >= p.WireLen {
		// The header claims more than the whole frame holds: not a
		// snap-length cut but a broken packet (Zeek's truncated_IP;
		// ndpiReader drops it too).
		return ReasonMalformed
	}
	p.IPVersion = 4
	p.Src = netip.AddrFrom4([4]byte(ip.SrcIP))
	p.Dst = netip.AddrFrom4([4]byte(ip.DstIP))
	hl := int(ip.IHL) * 4
	p.IPLen = int(ip.Length)
	payload := ip.Payload
	plen := int(ip.Length) - hl
	p.Proto = uint8(ip.Protocol) // known even when a fragment is held or cut short
	if ip.Flags&layers.IPv4MoreFragments != 0 || ip.FragOffset != 0 {
		key := fragKey{src: p.Src, dst: p.Dst, id: uint32(ip.Id), proto: uint8(ip.Protocol)}
		if len(payload) < plen {
			d.defrag.stats.Dropped++
			return ReasonTruncated // a fragment cut by the snap length cannot be reassembled
		}
		whole, r := d.defrag.add(key, int(ip.FragOffset)*8, payload[:plen], ip.Flags&layers.IPv4MoreFragments != 0)
		if r != OK {
			return r
		}
		payload, plen = whole, len(whole)
		p.IPLen = hl + plen
		p.Reassembled = true
	}
	return d.transport(uint8(ip.Protocol), payload, plen, p)
}

func (d *Decoder) ipv6(data []byte, p *Packet) Reason {
	if r := d.enterIP(p); r != OK {
		return r
	}
	// The fixed header is parsed here rather than with gopacket's IPv6
	// layer, which allocates for every hop-by-hop option it sees; the
	// extension headers are walked below.
	if len(data) < 40 {
		return ReasonTruncated
	}
	if data[0]>>4 != 6 {
		return ReasonMalformed
	}
	plen := int(binary.BigEndian.Uint16(data[4:6]))
	next := data[6]
	payload := data[40:]
	if plen == 0 && next == 0 { // jumbogram: the length is a hop-by-hop option (RFC 2675)
		jl, ok := jumboLength(payload)
		if !ok {
			return ReasonMalformed
		}
		plen = jl
	}
	if len(payload) < plen && p.CapLen >= p.WireLen {
		return ReasonMalformed // payload length beyond the whole frame
	}
	if len(payload) > plen {
		payload = payload[:plen] // Ethernet padding or a trailer
	}
	p.IPVersion = 6
	p.Src = netip.AddrFrom16([16]byte(data[8:24]))
	p.Dst = netip.AddrFrom16([16]byte(data[24:40]))
	p.IPLen = 40 + plen
	for range 16 {
		switch next {
		case 0, 43, 60, 135, 139, 140: // hop-by-hop, routing, destination options, mobility, HIP, shim6
			if len(payload) < 2 {
				return ReasonTruncated
			}
			n := (int(payload[1]) + 1) * 8
			if len(payload) < n || plen < n {
				return ReasonTruncated
			}
			next = payload[0]
			payload, plen = payload[n:], plen-n
		case 51: // authentication header
			if len(payload) < 2 {
				return ReasonTruncated
			}
			n := (int(payload[1]) + 2) * 4
			if len(payload) < n || plen < n {
				return ReasonTruncated
			}
			next = payload[0]
			payload, plen = payload[n:], plen-n
		case 44: // fragment
			if len(payload) < 8 || plen < 8 {
				return ReasonTruncated
			}
			next = payload[0]
			offMF := binary.BigEndian.Uint16(payload[2:4])
			id := binary.BigEndian.Uint32(payload[4:8])
			payload, plen = payload[8:], plen-8
			unfrag := p.IPLen - plen // header + extension headers before the fragment data
			if offMF&0xfff8 == 0 && offMF&1 == 0 {
				continue // atomic fragment (RFC 6946)
			}
			p.Proto = next // known even when the fragment is held or cut short
			if len(payload) < plen {
				d.defrag.stats.Dropped++
				return ReasonTruncated
			}
			key := fragKey{src: p.Src, dst: p.Dst, id: id, proto: next, v6: true}
			whole, r := d.defrag.add(key, int(offMF&0xfff8), payload[:plen], offMF&1 != 0)
			if r != OK {
				return r
			}
			payload, plen = whole, len(whole)
			p.IPLen = unfrag - 8 + plen
			p.Reassembled = true
		default:
			return d.transport(next, payload, plen, p)
		}
	}
	return ReasonTooDeep
}

// transport decodes the header after IP. data is the captured part of the
// IP payload; plen is its length per the IP header.
func (d *Decoder) transport(proto uint8, data []byte, plen int, p *Packet) Reason {
	p.Proto = proto
	// An outer layer's payload (a tunnel's) is not this packet's: an inner
	// header too short to carry one must not leave it behind.
	p.Payload, p.PayloadLen = nil, 0
	if len(data) > plen {
		data = data[:plen]
	}
	switch proto {
	case 6:
		if len(data) < 20 {
			return ReasonTruncated
		}
		d.fb.truncated = false
		if err := d.tcp.DecodeFromBytes(data, &d.fb); err != nil {
			if d.fb.truncated || int(data[12]>>4)*4 > len(data) {
				return ReasonTruncated
			}
			return ReasonMalformed
		}
		t := &d.tcp
		p.SrcPort, p.DstPort, p.HasPorts = uint16(t.SrcPort), uint16(t.DstPort), true
		p.TCPFlags = data[13]
		p.Seq, p.Ack = t.Seq, t.Ack
		hl := int(t.DataOffset) * 4
		p.PayloadLen = max(plen-hl, 0)
		p.Payload = data[hl:]
		return OK
	case 17:
		if len(data) < 8 {
			return ReasonTruncated
		}
		_ = d.udp.DecodeFromBytes(data, &d.fb) // cannot fail with 8 bytes
		u := &d.udp
		p.SrcPort, p.DstPort, p.HasPorts = uint16(u.SrcPort), uint16(u.DstPort), true
		p.PayloadLen = max(plen-8, 0)
		p.Payload = data[8:]
		return d.udpTunnel(p)
	case 1, 58:
		if len(data) < 2 {
			return ReasonTruncated
		}
		p.ICMPType, p.ICMPCode = data[0], data[1]
		p.PayloadLen = max(plen-8, 0)
		if len(data) >= 8 {
			p.Payload = data[8:]
		}
		return OK
	case 132:
		if len(data) < 12 {
			return ReasonTruncated
		}
		p.SrcPort, p.DstPort, p.HasPorts = binary.BigEndian.Uint16(data[0:2]), binary.BigEndian.Uint16(data[2:4]), true
		p.PayloadLen = max(plen-12, 0)
		p.Payload = data[12:]
		return OK
	case 4:
		if r := d.pushTunnel(p, TunnelIPIP); r != OK {
			return r
		}
		return d.ipv4(data, p)
	case 41:
		if r := d.pushTunnel(p, TunnelIP6); r != OK {
			return r
		}
		return d.ipv6(data, p)
	case 47:
		return d.greTunnel(data, p)
	}
	p.PayloadLen = plen
	p.Payload = data
	return OK
}

func (d *Decoder) greTunnel(data []byte, p *Packet) Reason {
	d.fb.truncated = false
	g := &d.gre
	if err := g.DecodeFromBytes(data, &d.fb); err != nil {
		if d.fb.truncated {
			return ReasonTruncated
		}
		return ReasonMalformed
	}
	inner := g.Payload
	kind := TunnelGRE
	id, hasID := g.Key, g.KeyPresent
	et := uint16(g.Protocol)
	switch et {
	case 0x88BE: // ERSPAN type II, or type I when there is no sequence number
		kind = TunnelERSPAN
		if g.SeqPresent {
			if len(inner) < 8 {
				return ReasonTruncated
			}
			id, hasID = uint32(binary.BigEndian.Uint16(inner[2:4])&0x03ff), true
			inner = inner[8:]
		}
		et = 0x6558
	case 0x22EB: // ERSPAN type III
		kind = TunnelERSPAN
		if len(inner) < 12 {
			return ReasonTruncated
		}
		id, hasID = uint32(binary.BigEndian.Uint16(inner[2:4])&0x03ff), true
		optional := inner[11]&1 != 0
		inner = inner[12:]
		if optional {
			if len(inner) < 8 {
				return ReasonTruncated
			}
			inner = inner[8:]
		}
		et = 0x6558
	}
	if r := d.pushTunnel(p, kind); r != OK {
		return r
	}
	if hasID {
		p.TunnelID, p.HasTunnelID = id, true
	}
	p.HasPorts, p.SrcPort, p.DstPort = false, 0, 0
	if et == 0x880B { // PPP in enhanced GRE (PPTP)
		return d.ppp(inner, p)
	}
	return d.etherType(et, inner, p, int(p.TunnelDepth))
}

// udpTunnel looks inside UDP payloads on tunnel ports. When the payload is
// not a valid tunnel, the packet stays a plain UDP packet.
func (d *Decoder) udpTunnel(p *Packet) Reason {
	sp, dp := p.SrcPort, p.DstPort
	var kind uint8
	switch {
	case dp == 4789 || dp == 8472:
		kind = TunnelVXLAN
	case dp == 2152 || sp == 2152:
		kind = TunnelGTPU
	case dp == 6081:
		kind = TunnelGeneve
	case dp == 3544 || sp == 3544:
		kind = TunnelTeredo
	case dp == 5072 || sp == 5072:
		kind = TunnelAYIYA
	case dp == 4754:
		kind = TunnelGRE // GRE in UDP (RFC 8086)
	case dp == 5247 || sp == 5247:
		kind = TunnelCAPWAP
	case looksTeredo(p.Payload):
		kind = TunnelTeredo // Teredo relays use any port (Zeek detects it by content)
	default:
		return OK
	}
	if p.TunnelDepth >= MaxTunnels || len(p.Payload) < 8 {
		return OK
	}
	d.saved = *p
	r := d.udpTunnelInner(kind, p)
	if r == OK || r == ReasonFragmentHeld {
		return r
	}
	*p = d.saved // not a tunnel after all: keep the UDP packet
	return OK
}

func (d *Decoder) udpTunnelInner(kind uint8, p *Packet) Reason {
	data := p.Payload
	// The outer UDP flow is a connection of its own (as Zeek logs it).
	if int(p.NumCarriers) < MaxCarriers {
		p.Carriers[p.NumCarriers] = Carrier{Src: p.Src, Dst: p.Dst, SrcPort: p.SrcPort, DstPort: p.DstPort,
			IPLen: p.IPLen, PayloadLen: p.PayloadLen, VLAN: p.VLAN, InnerVLAN: p.InnerVLAN}
		p.NumCarriers++
	}
	if r := d.pushTunnel(p, kind); r != OK {
		return r
	}
	switch kind {
	case TunnelVXLAN:
		if err := d.vxlan.DecodeFromBytes(data, &d.fb); err != nil || !d.vxlan.ValidIDFlag {
			return ReasonMalformed
		}
		p.TunnelID, p.HasTunnelID = d.vxlan.VNI, true
		return d.ethernet(data[8:], p, int(p.TunnelDepth))
	case TunnelCAPWAP:
		return d.capwap(data, p)
	case TunnelGeneve:
		if data[0]>>6 != 0 {
			return ReasonMalformed
		}
		n := 8 + int(data[0]&0x3f)*4
		if len(data) < n {
			return ReasonTruncated
		}
		p.TunnelID, p.HasTunnelID = binary.BigEndian.Uint32(data[4:8])>>8, true
		return d.etherType(binary.BigEndian.Uint16(data[2:4]), data[n:], p, int(p.TunnelDepth))
	case TunnelGTPU:
		flags := data[0]
		if flags>>5 != 1 || flags&0x10 == 0 || data[1] != 255 { // version 1, GTP (not GTP'), G-PDU
			return ReasonMalformed
		}
		p.TunnelID, p.HasTunnelID = binary.BigEndian.Uint32(data[4:8]), true
		n := 8
		if flags&0x07 != 0 {
			if len(data) < 12 {
				return ReasonTruncated
			}
			next := data[11]
			n = 12
			for i := 0; next != 0; i++ {
				if i > 8 || len(data) < n+1 {
					return ReasonMalformed
				}
				l := int(data[n]) * 4
				if l == 0 || len(data) < n+l {
					return ReasonMalformed
				}
				next = data[n+l-1]
				n += l
			}
		}
		return d.rawIP(data[n:], p)
	case TunnelTeredo:
		// Optional authentication (0x0001) and origin indication (0x0000)
		// headers come before the IPv6 packet.
		for range 2 {
			if len(data) >= 2 && data[0] == 0 && data[1] == 1 {
				if len(data) < 4 {
					return ReasonMalformed
				}
				n := 13 + int(data[2]) + int(data[3])
				if len(data) < n {
					return ReasonMalformed
				}
				data = data[n:]
			}
			if len(data) >= 8 && data[0] == 0 && data[1] == 0 {
				data = data[8:]
			}
		}
		if len(data) < 40 || data[0]>>4 != 6 {
			return ReasonMalformed
		}
		// As Zeek does, the IPv6 packet must fill the UDP payload exactly
		// (a bubble, with no next header, may carry trailing bytes).
		avail := p.PayloadLen - (len(p.Payload) - len(data))
		plen := int(binary.BigEndian.Uint16(data[4:6]))
		bubble := data[6] == 59 && plen == 0
		if plen+40 > avail || (plen+40 < avail && !bubble) {
			return ReasonMalformed
		}
		if bubble {
			return ReasonNotIP // a Teredo bubble carries no transport
		}
		return d.ipv6(data, p)
	case TunnelAYIYA:
		// Anything In Anything (used by SixXS): identity and signature
		// lengths, opcode 1 (forward) and the next header.
		idLen := 1 << (data[0] >> 4)
		sigLen := int(data[1]>>4) * 4
		n := 8 + idLen + sigLen
		if data[2]&0x0f != 1 || len(data) < n {
			return ReasonMalformed
		}
		switch data[3] {
		case 4:
			return d.ipv4(data[n:], p)
		case 41:
			return d.ipv6(data[n:], p)
		}
		return ReasonMalformed
	case TunnelGRE:
		p.TunnelDepth-- // greTunnel records the tunnel itself
		return d.greTunnel(data, p)
	}
	return ReasonMalformed
}

// looksTeredo reports whether a UDP payload on a port not known for Teredo
// is one, as Zeek's detection decides: an IPv6 header with a Teredo
// (2001:0::/32) source or destination, possibly after an origin indication
// or an authentication header.
func looksTeredo(b []byte) bool {
	if len(b) < 40 {
		return false
	}
	if b[0] == 0 && b[1] == 1 { // authentication
		n := 13 + int(b[2]) + int(b[3])
		if len(b) < n+40 {
			return false
		}
		b = b[n:]
		if b[0] != 0 || b[1] != 0 {
			return false
		}
	}
	if b[0] == 0 && b[1] == 0 { // origin indication
		if len(b) < 48 {
			return false
		}
		return b[8]>>4 == 6
	}
	teredo := func(a []byte) bool { return a[0] == 0x20 && a[1] == 0x01 && a[2] == 0 && a[3] == 0 }
	return b[0]>>4 == 6 && (teredo(b[8:12]) || teredo(b[24:28]))
}

// capwap decodes a CAPWAP data packet (RFC 5415 §4.3): a header of HLEN
// 32-bit words, then an 802.3 frame, or an 802.11 frame when the T bit and
// wireless binding 1 (IEEE 802.11, RFC 5416) say so. DTLS-encrypted data
// (preamble type 1) and fragments cannot be decoded.
func (d *Decoder) capwap(data []byte, p *Packet) Reason {
	w := binary.BigEndian.Uint32(data[0:4])
	if w>>24 != 0 { // version 0, type 0 (not DTLS)
		return ReasonMalformed
	}
	hlen := int(w>>19&0x1f) * 4
	wbid := w >> 9 & 0x1f
	native := w>>8&1 == 1
	if w>>7&1 == 1 || hlen < 8 { // F: a fragment
		return ReasonMalformed
	}
	if len(data) < hlen {
		return ReasonTruncated
	}
	inner := data[hlen:]
	if !native {
		return d.ethernet(inner, p, int(p.TunnelDepth))
	}
	if wbid != 1 {
		return ReasonMalformed
	}
	return d.dot11(inner, p)
}

// dot11 decodes an IEEE 802.11 data frame carrying LLC/SNAP: the frame
// control, the address fields (a fourth address when both DS bits are
// set), QoS control and HT control, then the EtherType of the SNAP header.
func (d *Decoder) dot11(data []byte, p *Packet) Reason {
	if len(data) < 24 {
		return ReasonTruncated
	}
	fc0, fc1 := data[0], data[1]
	if fc0>>2&3 != 2 && fc1>>2&3 == 2 && fc1&3 == 0 {
		// Some access points (Cisco's) send the frame control bytes
		// swapped; Wireshark's capwap.swap_fc does the same check.
		fc0, fc1 = fc1, fc0
	}
	if fc0>>2&3 != 2 || fc0&3 != 0 { // not a version 0 data frame
		return ReasonNotIP
	}
	subtype := fc0 >> 4
	if subtype&4 != 0 { // null data: no payload
		return ReasonNotIP
	}
	n := 24
	if fc1&3 == 3 { // to DS and from DS: four addresses
		n += 6
	}
	if subtype&8 != 0 { // QoS data
		n += 2
		if fc1&0x80 != 0 { // +HTC: order bit on a QoS frame
			n += 4
		}
	}
	if fc1&0x40 != 0 { // protected: encrypted payload
		return ReasonNotIP
	}
	if len(data) < n+8 {
		return ReasonTruncated
	}
	snap := data[n:]
	if snap[0] != 0xaa || snap[1] != 0xaa || snap[2] != 0x03 {
		return ReasonNotIP
	}
	return d.etherType(binary.BigEndian.Uint16(snap[6:8]), snap[8:], p, int(p.TunnelDepth))
}

// jumboLength reads the Jumbo Payload option (type 0xC2) of a hop-by-hop
// header and returns the payload length it gives.
func jumboLength(hbh []byte) (int, bool) {
	if len(hbh) < 8 {
		return 0, false
	}
	n := (int(hbh[1]) + 1) * 8
	if len(hbh) < n {
		n = len(hbh)
	}
	for i := 2; i < n; {
		switch t := hbh[i]; {
		case t == 0: // Pad1
			i++
		case i+1 >= n:
			return 0, false
		case t == 0xC2 && hbh[i+1] == 4 && i+6 <= n:
			return int(binary.BigEndian.Uint32(hbh[i+2 : i+6])), true
		default:
			i += 2 + int(hbh[i+1])
		}
	}
	return 0, false
}
