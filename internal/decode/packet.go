package decode

import "net/netip"

// LinkType is a pcap LINKTYPE_ value.
type LinkType uint16

// Link types the decoder understands.
const (
	LinkNull      LinkType = 0   // BSD loopback, host byte order family
	LinkEthernet  LinkType = 1   // Ethernet II
	LinkPPP       LinkType = 9   // PPP (RFC 1661)
	LinkRaw       LinkType = 101 // raw IPv4/IPv6
	LinkCHDLC     LinkType = 104 // Cisco HDLC
	LinkLoop      LinkType = 108 // OpenBSD loopback, network byte order family
	LinkLinuxSLL  LinkType = 113 // Linux cooked capture v1
	LinkIPv4      LinkType = 228 // raw IPv4
	LinkIPv6      LinkType = 229 // raw IPv6
	LinkLinuxSLL2 LinkType = 276 // Linux cooked capture v2
	LinkRawAlt1   LinkType = 12  // raw IP on some BSDs (DLT_RAW)
	LinkRawAlt2   LinkType = 14  // raw IP on OpenBSD (DLT_RAW)
	LinkPPI       LinkType = 192 // Per-Packet Information header, then another link type
)

// Maximum depth of recorded encapsulation.
const (
	MaxTunnels = 4
	MaxMPLS    = 4
)

// Tunnel kinds recorded on a packet.
const (
	TunnelNone uint8 = iota
	TunnelGRE
	TunnelERSPAN
	TunnelVXLAN
	TunnelGeneve
	TunnelGTPU
	TunnelIPIP   // IPv4 or IPv6 carried in IPv4/IPv6 (protocol 4)
	TunnelIP6    // IPv6 carried in IP (protocol 41, 6in4/6in6)
	TunnelTeredo // IPv6 in UDP/3544, or on any port when the payload is Teredo
	TunnelAYIYA  // IPv4 or IPv6 in AYIYA, UDP/5072
	TunnelCAPWAP // 802.3 or 802.11 frames in CAPWAP data, UDP/5247 (RFC 5415)
)

// TunnelNames maps a tunnel kind to its record name.
var TunnelNames = [...]string{
	TunnelNone: "", TunnelGRE: "gre", TunnelERSPAN: "erspan", TunnelVXLAN: "vxlan", TunnelGeneve: "geneve",
	TunnelGTPU: "gtp-u", TunnelIPIP: "ipip", TunnelIP6: "ipv6-in-ip", TunnelTeredo: "teredo", TunnelAYIYA: "ayiya",
	TunnelCAPWAP: "capwap",
}

// Packet is a decoded packet. Slices point into the frame (or into the
// decoder's reassembly buffer) and are valid until the next Decode call.
type Packet struct {
	Timestamp int64 // nanoseconds since the Unix epoch
	CapLen    int   // captured frame bytes
	WireLen   int   // original frame bytes

	SrcMAC, DstMAC [6]byte
	HasMAC         bool
	VLAN           uint16 // outer VLAN id
	InnerVLAN      uint16 // second VLAN id (QinQ)
	MPLS           [MaxMPLS]uint32
	MPLSDepth      uint8

	Tunnels     [MaxTunnels]uint8
	TunnelDepth uint8
	TunnelSrc   netip.Addr // outermost IP header's addresses, when tunnelled
	TunnelDst   netip.Addr
	TunnelID    uint32
	HasTunnelID bool

	IPVersion   uint8 // 4 or 6 (innermost)
	Src, Dst    netip.Addr
	Proto       uint8 // IP protocol of the transport
	IPLen       int   // IP header + payload bytes as the IP header says (what NetFlow counts)
	Reassembled bool  // the IP datagram was reassembled from fragments

	SrcPort, DstPort uint16
	HasPorts         bool
	TCPFlags         uint8
	Seq, Ack         uint32
	ICMPType         uint8
	ICMPCode         uint8

	PayloadLen int    // transport payload bytes per the headers (may exceed len(Payload) when truncated)
	Payload    []byte // captured transport payload

	// Carriers are the UDP flows that carry UDP-based tunnels (VXLAN,
	// Geneve, GTP-U, Teredo, AYIYA, GRE in UDP), outermost first: Teredo
	// inside GTP-U has two. Each is a connection of its own: the flow
	// engine counts the packet there too, as Zeek does.
	Carriers    [MaxCarriers]Carrier
	NumCarriers uint8
}

// MaxCarriers is how many nested UDP tunnel flows a packet records.
const MaxCarriers = 2

// Carrier is an outer UDP flow of a tunnelled packet.
type Carrier struct {
	Src, Dst         netip.Addr
	SrcPort, DstPort uint16
	VLAN, InnerVLAN  uint16
	IPLen            int
	PayloadLen       int
}

// Reason says why a frame did not yield a packet for the flow table. Each
// is counted by the caller.
type Reason uint8

// Reasons a frame is not turned into a packet.
const (
	OK                 Reason = iota
	ReasonTruncated           // headers cut short by the snap length or a short frame
	ReasonMalformed           // header fields that contradict each other or the data
	ReasonLinkType            // a link type the decoder does not know
	ReasonNotIP               // ARP, LLDP, STP, … (not an error: there is no IP flow)
	ReasonFragmentHeld        // a fragment was stored; the datagram is not complete yet
	ReasonFragmentDrop        // a fragment was dropped (limits, overlaps, bad offsets)
	ReasonTooDeep             // more encapsulation than MaxTunnels or MaxMPLS
	NumReasons
)

var reasonNames = [...]string{
	OK: "ok", ReasonTruncated: "truncated", ReasonMalformed: "malformed", ReasonLinkType: "unsupported-link-type",
	ReasonNotIP: "not-ip", ReasonFragmentHeld: "fragment-held", ReasonFragmentDrop: "fragment-dropped",
	ReasonTooDeep: "too-deep",
}

// String returns the reason's name as used in summaries and metrics.
func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return "unknown"
}

// IsError reports whether the reason counts as an error (as opposed to a
// frame that is fine but carries no IP flow, or a held fragment).
func (r Reason) IsError() bool {
	return r != OK && r != ReasonNotIP && r != ReasonFragmentHeld
}
