package decode_test

import (
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flowsift/flowsift/internal/capture"
	"github.com/flowsift/flowsift/internal/capture/pcapfile"
	"github.com/flowsift/flowsift/internal/decode"
)

// frame is one frame of a testdata capture, copied out of the reader.
type frame struct {
	data    []byte
	link    decode.LinkType
	ts      int64
	wireLen int
}

// readFrames returns every frame of a capture.
func readFrames(tb testing.TB, name string) []frame {
	tb.Helper()
	r, err := pcapfile.Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	var out []frame
	var f capture.Frame
	for {
		err := r.Next(&f)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		out = append(out, frame{append([]byte(nil), f.Data...), f.Link, f.Timestamp, f.WireLen})
	}
	if st := r.Stats(); st.Truncated != 0 || st.ReadErrors != 0 {
		tb.Fatalf("%s: reader stats %+v: testdata captures must be intact", name, st)
	}
	return out
}

// decodeAll decodes every frame of a capture with one decoder (so
// fragments reassemble) and returns the packets and reasons.
func decodeAll(tb testing.TB, name string) ([]decode.Packet, []decode.Reason) {
	tb.Helper()
	d := decode.New(decode.DefaultConfig())
	frames := readFrames(tb, name)
	pkts := make([]decode.Packet, len(frames))
	reasons := make([]decode.Reason, len(frames))
	for i, f := range frames {
		reasons[i] = d.Decode(f.data, f.link, f.ts, f.wireLen, &pkts[i])
		// Payload points into the decoder's buffers; drop it so that
		// keeping packets across calls is safe.
		pkts[i].Payload = nil
	}
	return pkts, reasons
}

// summary holds the fields a table row checks. Unset fields are compared
// too, so a row states everything about its packet that matters.
type summary struct {
	Reason      string
	IPVersion   uint8
	Src, Dst    string
	SrcPort     uint16
	DstPort     uint16
	HasPorts    bool
	Proto       uint8
	IPLen       int
	PayloadLen  int
	TCPFlags    uint8
	ICMPType    uint8
	VLAN        uint16
	InnerVLAN   uint16
	MPLS        []uint32
	Tunnels     []string
	TunnelSrc   string
	TunnelDst   string
	TunnelID    uint32
	HasTunnelID bool
	Reassembled bool
	Carriers    int
}

func summarize(p *decode.Packet, r decode.Reason) summary {
	s := summary{
		Reason: r.String(), IPVersion: p.IPVersion, SrcPort: p.SrcPort, DstPort: p.DstPort, HasPorts: p.HasPorts,
		Proto: p.Proto, IPLen: p.IPLen, PayloadLen: p.PayloadLen, TCPFlags: p.TCPFlags, ICMPType: p.ICMPType,
		VLAN: p.VLAN, InnerVLAN: p.InnerVLAN, TunnelID: p.TunnelID, HasTunnelID: p.HasTunnelID,
		Reassembled: p.Reassembled, Carriers: int(p.NumCarriers),
	}
	addr := func(a netip.Addr) string {
		if !a.IsValid() {
			return ""
		}
		return a.String()
	}
	s.Src, s.Dst, s.TunnelSrc, s.TunnelDst = addr(p.Src), addr(p.Dst), addr(p.TunnelSrc), addr(p.TunnelDst)
	for i := range int(p.MPLSDepth) {
		s.MPLS = append(s.MPLS, p.MPLS[i])
	}
	for i := range int(p.TunnelDepth) {
		s.Tunnels = append(s.Tunnels, decode.TunnelNames[p.Tunnels[i]])
	}
	return s
}

// TestDecodeCaptures checks chosen packets of real captures. Every
// expected value was read from tshark 4.x (`tshark -r F -Y frame.number==N
// -V`), not from our own output; IPLen is ip.len, or 40 + ipv6.plen, of
// the innermost IP header (for reassembled datagrams: the header plus the
// reassembled payload, udp.length of the reassembled datagram). Where
// tshark does not decode a tunnel (Teredo on odd ports), the expectation
// comes from Zeek's tunnel.log baseline for the same trace.
func TestDecodeCaptures(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		frame int // 1-based, as tshark numbers frames
		want  summary
	}{
		{
			name: "ethernet ipv4 tcp syn", file: "eth_ipv4_tcp.pcap", frame: 1,
			want: summary{Reason: "ok", IPVersion: 4, Src: "127.0.0.1", Dst: "127.0.0.1", SrcPort: 49404, DstPort: 80, HasPorts: true,
				Proto: 6, IPLen: 60, TCPFlags: 0x02},
		},
		{
			name: "ethernet ipv4 tcp data", file: "eth_ipv4_tcp.pcap", frame: 4,
			want: summary{Reason: "ok", IPVersion: 4, Src: "127.0.0.1", Dst: "127.0.0.1", SrcPort: 49404, DstPort: 80, HasPorts: true,
				Proto: 6, IPLen: 134, PayloadLen: 82, TCPFlags: 0x18},
		},
		{
			name: "ipv6 udp", file: "ipv6_frag.pcap", frame: 1,
			want: summary{Reason: "ok", IPVersion: 6, Src: "2001:470:1f11:81f:d138:5f55:6d4:1fe2", Dst: "2607:f740:b::f93",
				SrcPort: 51850, DstPort: 53, HasPorts: true, Proto: 17, IPLen: 40 + 81, PayloadLen: 81 - 8},
		},
		{
			name: "ipv6 first fragment is held", file: "ipv6_frag.pcap", frame: 6,
			want: summary{Reason: "fragment-held", IPVersion: 6, Src: "2607:f740:b::f93", Dst: "2001:470:1f11:81f:d138:5f55:6d4:1fe2",
				Proto: 17, IPLen: 1480},
		},
		{
			name: "ipv6 fragments reassembled", file: "ipv6_frag.pcap", frame: 8,
			want: summary{Reason: "ok", IPVersion: 6, Src: "2607:f740:b::f93", Dst: "2001:470:1f11:81f:d138:5f55:6d4:1fe2",
				SrcPort: 53, DstPort: 51851, HasPorts: true, Proto: 17, IPLen: 40 + 3238, PayloadLen: 3238 - 8, Reassembled: true},
		},
		{
			name: "ipv4 first fragment is held", file: "ipv4_frag.pcap", frame: 2,
			want: summary{Reason: "fragment-held", IPVersion: 4, Src: "10.0.0.1", Dst: "149.56.228.45", Proto: 17, IPLen: 1500},
		},
		{
			name: "ipv4 fragments reassembled", file: "ipv4_frag.pcap", frame: 3,
			want: summary{Reason: "ok", IPVersion: 4, Src: "10.0.0.1", Dst: "149.56.228.45", SrcPort: 45722, DstPort: 443, HasPorts: true,
				Proto: 17, IPLen: 20 + 1480 + 60, PayloadLen: 1480 + 60 - 8, Reassembled: true},
		},
		{
			name: "qinq pppoe", file: "qinq_pppoe.pcapng", frame: 4,
			want: summary{Reason: "ok", IPVersion: 4, Src: "82.178.113.245", Dst: "82.178.158.181", SrcPort: 47255, DstPort: 53, HasPorts: true,
				Proto: 17, IPLen: 61, PayloadLen: 33, VLAN: 421, InnerVLAN: 785},
		},
		{
			name: "plain ethernet in the same pcapng", file: "qinq_pppoe.pcapng", frame: 1,
			want: summary{Reason: "ok", IPVersion: 4, Src: "192.168.170.20", Dst: "192.168.170.8", SrcPort: 53, DstPort: 32795, HasPorts: true,
				Proto: 17, IPLen: 62, PayloadLen: 34},
		},
		{
			name: "mpls", file: "vlan_mpls.pcap", frame: 1,
			want: summary{Reason: "ok", IPVersion: 4, Src: "10.1.2.1", Dst: "10.34.0.1", SrcPort: 11001, DstPort: 23, HasPorts: true,
				Proto: 6, IPLen: 44, TCPFlags: 0x02, MPLS: []uint32{29}},
		},
		{
			name: "vlan", file: "vlan_mpls.pcap", frame: 34,
			want: summary{Reason: "ok", IPVersion: 4, Src: "10.20.80.1", Dst: "10.0.0.15", SrcPort: 50343, DstPort: 80, HasPorts: true,
				Proto: 6, IPLen: 60, TCPFlags: 0x02, VLAN: 4093},
		},
		{
			name: "cisco hdlc mpls", file: "chdlc_mpls.pcap", frame: 1,
			want: summary{Reason: "ok", IPVersion: 4, Src: "2.2.2.2", Dst: "4.4.4.4", SrcPort: 179, DstPort: 63535, HasPorts: true,
				Proto: 6, IPLen: 155, PayloadLen: 115, TCPFlags: 0x18, MPLS: []uint32{18}},
		},
		{
			name: "linux cooked v1", file: "linux_sll.pcap", frame: 1,
			want: summary{Reason: "ok", IPVersion: 4, Src: "217.12.244.34", Dst: "217.12.247.98", SrcPort: 25963, DstPort: 31601, HasPorts: true,
				Proto: 17, IPLen: 140, PayloadLen: 112},
		},
		{
			name: "linux cooked in pcapng", file: "linux_sll.pcapng", frame: 1,
			want: summary{Reason: "ok", IPVersion: 4, Src: "127.0.0.1", Dst: "127.0.0.1", SrcPort: 37824, DstPort: 29518, HasPorts: true,
				Proto: 6, IPLen: 116, PayloadLen: 64, TCPFlags: 0x18},
		},
		{
			name: "raw ip (linktype 101)", file: "raw_ip.pcap", frame: 1,
			want: summary{Reason: "ok", IPVersion: 4, Src: "10.215.173.1", Dst: "116.211.199.199", SrcPort: 50412, DstPort: 16600, HasPorts: true,
				Proto: 17, IPLen: 163, PayloadLen: 135},
		},
		{
			name: "raw ipv4 (linktype 228)", file: "raw_ipv4.pcap", frame: 1,
			want: summary{Reason: "ok", IPVersion: 4, Src: "192.168.1.100", Dst: "192.168.1.10", SrcPort: 54321, DstPort: 389, HasPorts: true,
				Proto: 6, IPLen: 40, TCPFlags: 0x02},
		},
		{
			name: "bsd loopback ipv6", file: "null_loopback.pcap", frame: 1,
			want: summary{Reason: "ok", IPVersion: 6, Src: "::1", Dst: "::1", SrcPort: 53098, DstPort: 6379, HasPorts: true,
				Proto: 6, IPLen: 40 + 44, TCPFlags: 0x02},
		},
		{
			name: "bsd loopback ipv4", file: "null_loopback.pcap", frame: 3,
			want: summary{Reason: "ok", IPVersion: 4, Src: "127.0.0.1", Dst: "127.0.0.1", SrcPort: 53099, DstPort: 6379, HasPorts: true,
				Proto: 6, IPLen: 64, TCPFlags: 0x02},
		},
		{
			name: "ppp", file: "ppp.pcap", frame: 1,
			want: summary{Reason: "ok", IPVersion: 4, Src: "193.167.0.252", Dst: "193.167.100.100", SrcPort: 44083, DstPort: 443, HasPorts: true,
				Proto: 17, IPLen: 1228, PayloadLen: 1200},
		},
		{
			name: "icmp echo reply", file: "icmp_echo.pcap", frame: 2,
			want: summary{Reason: "ok", IPVersion: 4, Src: "74.125.225.99", Dst: "10.0.0.1", Proto: 1, IPLen: 84, PayloadLen: 56},
		},
		{
			name: "gre", file: "gre.pcap", frame: 11,
			want: summary{Reason: "ok", IPVersion: 4, Src: "66.59.111.190", Dst: "172.28.2.3", SrcPort: 40264, DstPort: 22, HasPorts: true,
				Proto: 6, IPLen: 60, TCPFlags: 0xc2, Tunnels: []string{"gre"}, TunnelSrc: "172.27.1.66", TunnelDst: "66.59.109.137"},
		},
		{
			name: "erspan type I", file: "erspan1.pcap", frame: 1,
			want: summary{Reason: "ok", IPVersion: 4, Src: "172.16.133.2", Dst: "172.217.11.78", Proto: 1, ICMPType: 8, IPLen: 84, PayloadLen: 56,
				Tunnels: []string{"erspan"}, TunnelSrc: "192.168.1.1", TunnelDst: "192.168.1.2"},
		},
		{
			name: "erspan type II", file: "erspan2.pcap", frame: 1,
			want: summary{Reason: "ok", IPVersion: 4, Src: "23.0.0.2", Dst: "23.0.0.3", Proto: 1, ICMPType: 8, IPLen: 100, PayloadLen: 72,
				Tunnels: []string{"erspan"}, TunnelSrc: "2.2.2.2", TunnelDst: "1.1.1.1", TunnelID: 100, HasTunnelID: true},
		},
		{
			name: "erspan type III", file: "erspan3.pcap", frame: 1,
			want: summary{Reason: "ok", IPVersion: 4, Src: "192.168.15.47", Dst: "1.1.1.1", Proto: 1, ICMPType: 8, IPLen: 84, PayloadLen: 56,
				Tunnels: []string{"erspan"}, TunnelSrc: "10.0.0.1", TunnelDst: "10.0.0.2", TunnelID: 0, HasTunnelID: true},
		},
		{
			name: "vxlan", file: "vxlan.pcap", frame: 1,
			want: summary{Reason: "ok", IPVersion: 4, Src: "172.16.11.201", Dst: "54.86.237.188", SrcPort: 40354, DstPort: 80, HasPorts: true,
				Proto: 6, IPLen: 60, TCPFlags: 0x02, Tunnels: []string{"vxlan"}, TunnelSrc: "10.1.200.131", TunnelDst: "10.1.1.172",
				TunnelID: 1, HasTunnelID: true, Carriers: 1},
		},
		{
			name: "geneve", file: "geneve.pcap", frame: 1,
			want: summary{Reason: "ok", IPVersion: 4, Src: "30.0.0.1", Dst: "30.0.0.2", Proto: 1, ICMPType: 8, IPLen: 84, PayloadLen: 56,
				Tunnels: []string{"geneve"}, TunnelSrc: "20.0.0.1", TunnelDst: "20.0.0.2", HasTunnelID: true, Carriers: 1},
		},
		{
			name: "gtp-u ipv6 in qinq", file: "gtpu_ipv6.pcap", frame: 1,
			want: summary{Reason: "ok", IPVersion: 6, Src: "2607:fc20:4052:39e:490a:ea4d:17fe:e09c", Dst: "fd00:976a:bc67:193e::7",
				SrcPort: 49120, DstPort: 25658, HasPorts: true, Proto: 17, IPLen: 40 + 52, PayloadLen: 52 - 8, VLAN: 3233, InnerVLAN: 5,
				Tunnels: []string{"gtp-u"}, TunnelSrc: "10.238.80.26", TunnelDst: "10.238.254.75", TunnelID: 0x12808fb8, HasTunnelID: true, Carriers: 1},
		},
		{
			name: "gtp-u outer ipv4 fragment is held", file: "gtpu_ipv4_frag.pcap", frame: 1,
			want: summary{Reason: "fragment-held", IPVersion: 4, Src: "173.86.159.28", Dst: "213.72.147.186", Proto: 17, IPLen: 1500},
		},
		{
			name: "gtp-u in reassembled ipv4", file: "gtpu_ipv4_frag.pcap", frame: 2,
			want: summary{Reason: "ok", IPVersion: 4, Src: "10.131.119.38", Dst: "217.20.156.4", SrcPort: 55746, DstPort: 80, HasPorts: true,
				Proto: 6, IPLen: 1480, PayloadLen: 1440, TCPFlags: 0x10, Tunnels: []string{"gtp-u"}, TunnelSrc: "173.86.159.28",
				TunnelDst: "213.72.147.186", TunnelID: 0x9813014c, HasTunnelID: true, Carriers: 1},
		},
		{
			name: "ip in ip in qinq", file: "ipip.pcap", frame: 1,
			want: summary{Reason: "ok", IPVersion: 4, Src: "10.10.100.25", Dst: "10.10.101.2", SrcPort: 62367, DstPort: 17000, HasPorts: true,
				Proto: 17, IPLen: 128, PayloadLen: 100, VLAN: 1624, InnerVLAN: 505, Tunnels: []string{"ipip"},
				TunnelSrc: "69.67.35.146", TunnelDst: "41.202.46.110"},
		},
		{
			name: "6in4", file: "ip6in4.pcap", frame: 1,
			want: summary{Reason: "ok", IPVersion: 6, Src: "2001:470:6c:a1::2", Dst: "2001:470:765b::b15:22", SrcPort: 38159, DstPort: 514,
				HasPorts: true, Proto: 17, IPLen: 40 + 406, PayloadLen: 406 - 8, Tunnels: []string{"ipv6-in-ip"},
				TunnelSrc: "193.24.227.10", TunnelDst: "216.66.86.114"},
		},
		{
			name: "4in6", file: "ip4in6.pcap", frame: 1,
			want: summary{Reason: "ok", IPVersion: 4, Src: "192.168.0.1", Dst: "10.10.10.1", SrcPort: 64455, DstPort: 443, HasPorts: true,
				Proto: 6, IPLen: 52, TCPFlags: 0x02, Tunnels: []string{"ipip"},
				TunnelSrc: "22e0:1685:eda7:38cc:58bd:f3f1:aa3f:22d8", TunnelDst: "344a:ba94:152a:ac34::2a"},
		},
		{
			name: "6in6", file: "ip6in6.pcap", frame: 1,
			want: summary{Reason: "ok", IPVersion: 6, Src: "dead::beef", Dst: "cafe::babe", SrcPort: 30000, DstPort: 13000, HasPorts: true,
				Proto: 17, IPLen: 40 + 12, PayloadLen: 4, Tunnels: []string{"ipv6-in-ip"},
				TunnelSrc: "2001:4f8:4:7:2e0:81ff:fe52:ffff", TunnelDst: "2001:4f8:4:7:2e0:81ff:fe52:9a6b"},
		},
		{
			// tshark sees plain IPv6/UDP; Zeek's tunnel.log for this trace
			// reports a Teredo tunnel ::38:5f55:6265:726b:25977 →
			// 2090:9090:9090:9090:9090:9000:::25964.
			name: "teredo found by content", file: "teredo.pcap", frame: 1,
			want: summary{Reason: "ok", IPVersion: 6, Src: "::38:5f55:6265:726b", Dst: "2090:9090:9090:9090:9090:9000::",
				SrcPort: 25977, DstPort: 25964, HasPorts: true, Proto: 17, IPLen: 65, PayloadLen: 17, Tunnels: []string{"teredo"},
				TunnelSrc: "::38:5f55:6265:726b", TunnelDst: "2090:9090:9090:9090:9090:9000::", Carriers: 1},
		},
	}
	cache := map[string][]summary{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := cache[tt.file]
			if !ok {
				pkts, reasons := decodeAll(t, filepath.Join("testdata", tt.file))
				for i := range pkts {
					got = append(got, summarize(&pkts[i], reasons[i]))
				}
				cache[tt.file] = got
			}
			if tt.frame < 1 || tt.frame > len(got) {
				t.Fatalf("%s has %d frames, no frame %d", tt.file, len(got), tt.frame)
			}
			if diff := cmp.Diff(tt.want, got[tt.frame-1]); diff != "" {
				t.Errorf("%s frame %d (-want +got):\n%s", tt.file, tt.frame, diff)
			}
		})
	}
}

// TestDecodeCapturesReasons checks how many frames of each capture become
// packets: every frame tshark decodes as IP is a packet, except fragments
// held for reassembly.
func TestDecodeCapturesReasons(t *testing.T) {
	tests := []struct {
		file string
		want map[string]int
	}{
		{"eth_ipv4_tcp.pcap", map[string]int{"ok": 8}},
		{"ipv4_frag.pcap", map[string]int{"ok": 3, "fragment-held": 2}},
		{"ipv6_frag.pcap", map[string]int{"ok": 5, "fragment-held": 3}},
		{"gtpu_ipv4_frag.pcap", map[string]int{"ok": 12, "fragment-held": 7}},
		{"vlan_mpls.pcap", map[string]int{"ok": 47}},
		{"gre.pcap", map[string]int{"ok": 40}},
		{"erspan1.pcap", map[string]int{"ok": 10}},
		{"null_loopback.pcap", map[string]int{"ok": 12}},
		{"qinq_pppoe.pcapng", map[string]int{"ok": 5}},
		{"vxlan.pcap", map[string]int{"ok": 12}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, reasons := decodeAll(t, filepath.Join("testdata", tt.file))
			got := map[string]int{}
			for _, r := range reasons {
				got[r.String()]++
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("reasons (-want +got):\n%s", diff)
			}
		})
	}
}

// Synthetic frames for the error paths: each is a valid Ethernet/IPv4/UDP
// frame, modified.
func udpFrame() []byte {
	b := make([]byte, 14+20+8+4)
	b[12], b[13] = 0x08, 0x00
	ip := b[14:]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], 20+8+4)
	ip[8], ip[9] = 64, 17
	copy(ip[12:16], []byte{10, 0, 0, 1})
	copy(ip[16:20], []byte{10, 0, 0, 2})
	udp := ip[20:]
	binary.BigEndian.PutUint16(udp[0:], 1234)
	binary.BigEndian.PutUint16(udp[2:], 53)
	binary.BigEndian.PutUint16(udp[4:], 8+4)
	copy(udp[8:], "abcd")
	return b
}

func TestDecodeReasons(t *testing.T) {
	tests := []struct {
		name string
		link decode.LinkType
		data func() []byte
		wire int // original frame length; 0 means not cut (len(data))
		want decode.Reason
	}{
		{"valid", decode.LinkEthernet, udpFrame, 0, decode.OK},
		{"empty", decode.LinkEthernet, func() []byte { return nil }, 0, decode.ReasonTruncated},
		{"short ethernet", decode.LinkEthernet, func() []byte { return udpFrame()[:10] }, 0, decode.ReasonTruncated},
		{"ip header cut", decode.LinkEthernet, func() []byte { return udpFrame()[:14+12] }, 0, decode.ReasonTruncated},
		{"udp header cut by the snap length", decode.LinkEthernet, func() []byte { return udpFrame()[:14+20+4] }, 14 + 20 + 8 + 4, decode.ReasonTruncated},
		// The IP header claims more than the whole (unsnapped) frame holds.
		{"ip length beyond the frame", decode.LinkEthernet, func() []byte { return udpFrame()[:14+20+4] }, 0, decode.ReasonMalformed},
		{"arp", decode.LinkEthernet, func() []byte { b := udpFrame(); b[12], b[13] = 0x08, 0x06; return b }, 0, decode.ReasonNotIP},
		{"ipv4 version 6 in ipv4 ethertype", decode.LinkEthernet, func() []byte { b := udpFrame(); b[14] = 0x65; return b }, 0, decode.ReasonMalformed},
		{"ihl below 5", decode.LinkEthernet, func() []byte { b := udpFrame(); b[14] = 0x42; return b }, 0, decode.ReasonMalformed},
		{"unknown link type", decode.LinkType(147), udpFrame, 0, decode.ReasonLinkType},
		{"null link too short", decode.LinkNull, func() []byte { return []byte{2, 0} }, 0, decode.ReasonTruncated},
		{"raw link, not ip", decode.LinkRaw, func() []byte { return []byte{0x10, 0, 0, 0} }, 0, decode.ReasonMalformed},
		{"more-fragments set", decode.LinkEthernet, func() []byte {
			b := udpFrame()
			b[14+6] = 0x20 // MF, offset 0; the 12 bytes of payload are not a multiple of 8
			return b
		}, 0, decode.ReasonFragmentDrop},
		{"mpls stack without bottom", decode.LinkEthernet, func() []byte {
			b := make([]byte, 14+4*20)
			b[12], b[13] = 0x88, 0x47
			return b
		}, 0, decode.ReasonTooDeep},
		{"vlan tag cut", decode.LinkEthernet, func() []byte {
			b := make([]byte, 16)
			b[12], b[13] = 0x81, 0x00
			return b
		}, 0, decode.ReasonTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := decode.New(decode.DefaultConfig())
			data := tt.data()
			wire := tt.wire
			if wire == 0 {
				wire = len(data)
			}
			var p decode.Packet
			if got := d.Decode(data, tt.link, 1, wire, &p); got != tt.want {
				t.Errorf("Decode = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestDecodeNestedTunnelsBounded builds IP-in-IP nested deeper than
// MaxTunnels: the decoder must stop with ReasonTooDeep.
func TestDecodeNestedTunnelsBounded(t *testing.T) {
	const depth = decode.MaxTunnels + 3
	inner := udpFrame()[14:]
	data := inner
	for range depth {
		h := make([]byte, 20, 20+len(data))
		h[0] = 0x45
		binary.BigEndian.PutUint16(h[2:], uint16(20+len(data))) //nolint:gosec // small
		h[8], h[9] = 64, 4
		copy(h[12:16], []byte{192, 0, 2, 1})
		copy(h[16:20], []byte{192, 0, 2, 2})
		data = append(h, data...)
	}
	d := decode.New(decode.DefaultConfig())
	var p decode.Packet
	if got := d.Decode(data, decode.LinkRaw, 1, len(data), &p); got != decode.ReasonTooDeep {
		t.Errorf("Decode of %d nested IP-in-IP = %v, want too-deep", depth, got)
	}
	// One level is fine.
	one := data[len(data)-20-len(inner):]
	if got := d.Decode(one, decode.LinkRaw, 1, len(one), &p); got != decode.OK || p.TunnelDepth != 1 {
		t.Errorf("one IP-in-IP level: reason %v, depth %d; want ok, 1", got, p.TunnelDepth)
	}
}

// TestDefragBounded feeds first fragments of many datagrams: the decoder
// must keep at most MaxDatagrams and count the rest as expired.
func TestDefragBounded(t *testing.T) {
	cfg := decode.DefaultConfig()
	cfg.Defrag.MaxDatagrams = 8
	d := decode.New(cfg)
	var p decode.Packet
	for i := range 100 {
		b := make([]byte, 20+16)
		b[0] = 0x45
		binary.BigEndian.PutUint16(b[2:], 36)
		binary.BigEndian.PutUint16(b[4:], uint16(i)) //nolint:gosec // small
		b[6] = 0x20                                  // more fragments
		b[8], b[9] = 64, 17
		copy(b[12:16], []byte{10, 0, 0, 1})
		copy(b[16:20], []byte{10, 0, 0, 2})
		if r := d.Decode(b, decode.LinkRaw, int64(i), len(b), &p); r != decode.ReasonFragmentHeld {
			t.Fatalf("fragment %d: %v, want fragment-held", i, r)
		}
	}
	st := d.DefragStats()
	if st.Fragments != 100 {
		t.Errorf("Fragments = %d, want 100", st.Fragments)
	}
	if held := st.Fragments - st.Expired - st.Dropped - st.Reassembled; held > 8 {
		t.Errorf("%d datagrams held, want at most MaxDatagrams=8 (stats %+v)", held, st)
	}
}
