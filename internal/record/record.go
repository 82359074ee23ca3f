package record

import (
	"net/netip"
	"strconv"
	"time"
)

// Dataset names the kind of a record (event.dataset).
type Dataset string

// Datasets produced so far.
const (
	DatasetFlow    Dataset = "flow"
	DatasetNetFlow Dataset = "netflow" // flows collected from NetFlow, IPFIX and sFlow exporters
)

// Record is one flowsift record. Fields are grouped as ECS groups them; a
// zero value means "absent" and is not encoded.
//
// Records are passed in batches; a stage that keeps a record after the call
// that handed it over returns must copy it (slices inside are shared).
type Record struct {
	Timestamp time.Time // @timestamp: start of the interval the record covers
	Event     Event
	Tenant    string // tenant.id
	Observer  string // observer.name

	Source      Endpoint
	Destination Endpoint
	Network     Network
	ICMP        ICMP
	Flow        Flow

	// Application groups: at most one is set, on a transaction record of
	// its dataset.
	DNS  *DNS
	HTTP *HTTP
	TLS  *TLS
	SSH  *SSH
	SMTP *SMTP
	FTP  *FTP
	DHCP *DHCP
	NTP  *NTP

	// NetFlow is set on records of collected flows (dataset netflow).
	NetFlow *NetFlow

	// Log is set on normalized log records (datasets log.*).
	Log *Log
}

// NetFlow describes where a collected flow record came from and how it
// was sampled. Counters in Source and Destination are already scaled by
// the sampling rate; the raw ones are kept here.
type NetFlow struct {
	Protocol     string     // netflow5, netflow9, ipfix or sflow5
	Exporter     netip.Addr // address the export packet came from
	DomainID     uint32     // NetFlow v9 source id, IPFIX observation domain, sFlow sub-agent
	InInterface  uint32     // SNMP ifIndex the flow entered by
	OutInterface uint32     // SNMP ifIndex the flow left by
	HasIn        bool
	HasOut       bool
	SamplingRate uint64 // 1 in N packets; 0 when unknown (counted as 1)
	RawPackets   uint64 // packets as exported, both directions, before scaling
	RawBytes     uint64 // bytes as exported, both directions, before scaling
	NextHop      netip.Addr
	ToS          uint8
	HasToS       bool
}

// Event is the ECS event group.
type Event struct {
	ID      string // event.id: unique, time-ordered
	Dataset Dataset
	Start   time.Time
	End     time.Time
}

// Endpoint is one side of a connection (ECS source/destination).
type Endpoint struct {
	IP      netip.Addr
	Port    uint16
	HasPort bool
	MAC     [6]byte
	HasMAC  bool
	Packets uint64
	Bytes   uint64 // IP-level bytes, as NetFlow and Zeek's *_ip_bytes count them

	AS         uint32     // autonomous system number (source.as.number)
	NATIP      netip.Addr // address after NAT (source.nat.ip)
	NATPort    uint16
	HasNATPort bool
}

// Network is the ECS network group.
type Network struct {
	Transport   string // lowercase IANA name: tcp, udp, icmp, ipv6-icmp, sctp, or the number
	Type        string // ipv4 or ipv6
	IANANumber  uint8
	HasIANA     bool
	VLAN        uint16 // outer VLAN id; 0 means none
	InnerVLAN   uint16 // inner VLAN id of QinQ
	CommunityID string
	Protocol    string // application protocol found by payload: dns, http, tls, …
	Application string // application or service: google, netflix, …
	AppCategory string // category of Application
	Direction   string // ECS network.direction: ingress, egress, inbound, outbound, internal, external, unknown
}

// ICMP holds the type and code of the first ICMP/ICMPv6 packet of a flow.
type ICMP struct {
	Type, Code uint8
	Has        bool
}

// Flow holds flowsift's own flow fields (flow.*).
type Flow struct {
	ID        string
	Interim   bool
	EndReason string
	History   string

	SourcePayloadBytes      uint64
	DestinationPayloadBytes uint64
	SourceTCPFlags          uint8
	DestinationTCPFlags     uint8
	HasTCP                  bool

	// Pattern of the first packets: IP length, direction ('s' from source,
	// 'd' from destination) and microseconds since the previous packet.
	PatternSizes      []int32
	PatternDirections string
	PatternIATMicros  []int32

	Tunnel   Tunnel
	MPLS     []uint32 // MPLS label stack, outermost first
	Fragment uint32   // reassembled IP datagrams in this flow
	ParentID string   // flow.id of the connection that opened this one (FTP data)
}

// Tunnel describes the encapsulation a flow was found in.
type Tunnel struct {
	Types       []string // outermost first: gre, erspan, vxlan, gtp-u, ipip, ip6ip, ...
	Source      netip.Addr
	Destination netip.Addr
	ID          uint32 // VXLAN VNI, GTP TEID, GRE key or ERSPAN session
	HasID       bool
}

// TCP flag bits as they appear in the TCP header.
const (
	TCPFlagFIN uint8 = 1 << iota
	TCPFlagSYN
	TCPFlagRST
	TCPFlagPSH
	TCPFlagACK
	TCPFlagURG
	TCPFlagECE
	TCPFlagCWR
)

// TCPFlagsString renders TCP flag bits in a fixed order, one letter per
// flag: F S R P A U E C (as nfdump does).
func TCPFlagsString(f uint8) string { return tcpFlagStrings[f] }

var tcpFlagStrings = func() (t [256]string) {
	const letters = "FSRPAUEC"
	for f := range t {
		var b []byte
		for i := 0; i < 8; i++ {
			if f&(1<<i) != 0 {
				b = append(b, letters[i])
			}
		}
		t[f] = string(b)
	}
	return t
}()

var transportNames = func() (a [256]string) {
	for i := range a {
		a[i] = strconv.Itoa(i)
	}
	for p, n := range map[uint8]string{1: "icmp", 2: "igmp", 6: "tcp", 17: "udp", 47: "gre", 50: "esp", 51: "ah",
		58: "ipv6-icmp", 89: "ospf", 103: "pim", 112: "vrrp", 132: "sctp"} {
		a[p] = n
	}
	return a
}()

// TransportName returns network.transport for an IP protocol number: the
// lowercase IANA keyword of common protocols, otherwise the number.
func TransportName(proto uint8) string { return transportNames[proto] }
