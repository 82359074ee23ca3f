// Package communityid computes Community ID v1 flow hashes, the flow
// identifier Zeek, Suricata, Arkime and Elastic share, so flowsift records
// join with theirs. It follows the Community ID specification: SHA-1 over
// seed, ordered addresses, protocol, a pad byte and ordered ports, base64
// encoded with the "1:" version prefix. ICMP and ICMPv6 use type and code
// as ports, with request and reply types paired so both directions of an
// exchange share one id.
//
// Place in the pipeline: used by the flow engine and the collectors when
// they build flow records.
package communityid

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // SHA-1 is what the Community ID spec mandates
	"encoding/base64"
	"encoding/binary"
	"net/netip"
)

// IP protocol numbers that the spec treats specially.
const (
	protoICMP   = 1
	protoTCP    = 6
	protoUDP    = 17
	protoICMPv6 = 58
	protoSCTP   = 132
)

var icmpPairs = map[uint8]uint8{8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 10: 9, 9: 10, 17: 18, 18: 17}

var icmp6Pairs = map[uint8]uint8{
	128: 129, 129: 128, 130: 131, 131: 130, 133: 134, 134: 133,
	135: 136, 136: 135, 139: 140, 140: 139, 144: 145, 145: 144,
}

// ICMPPorts maps an ICMP/ICMPv6 type and code to the port pair the spec
// hashes, and reports whether the message is one-way (has no reply type).
func ICMPPorts(v6 bool, typ, code uint8) (sport, dport uint16, oneWay bool) {
	pairs := icmpPairs
	if v6 {
		pairs = icmp6Pairs
	}
	if peer, ok := pairs[typ]; ok {
		return uint16(typ), uint16(peer), false
	}
	return uint16(typ), uint16(code), true
}

// Hasher computes Community IDs with a fixed seed. It is not safe for
// concurrent use.
type Hasher struct {
	seed uint16
	buf  [2 + 16 + 16 + 4 + 4]byte
	out  [28 + 2]byte
}

// New returns a Hasher for the given seed (0 is the common default).
func New(seed uint16) *Hasher { return &Hasher{seed: seed} }

// Sum returns the Community ID of a flow. For ICMP and ICMPv6 pass the
// type as sport and the code as dport; they are mapped as the spec says.
// Protocols without ports hash only addresses and protocol.
func (h *Hasher) Sum(src, dst netip.Addr, proto uint8, sport, dport uint16) string {
	oneWay := false
	hasPorts := true
	switch proto {
	case protoICMP, protoICMPv6:
		sport, dport, oneWay = ICMPPorts(proto == protoICMPv6, uint8(sport), uint8(dport)) //nolint:gosec // ICMP type/code are bytes
	case protoTCP, protoUDP, protoSCTP:
	default:
		hasPorts = false
	}
	s, d := src.Unmap().AsSlice(), dst.Unmap().AsSlice()
	if !oneWay {
		c := bytes.Compare(s, d)
		if c > 0 || (c == 0 && hasPorts && sport > dport) {
			s, d = d, s
			sport, dport = dport, sport
		}
	}
	b := h.buf[:0]
	b = binary.BigEndian.AppendUint16(b, h.seed)
	b = append(b, s...)
	b = append(b, d...)
	b = append(b, proto, 0)
	if hasPorts {
		b = binary.BigEndian.AppendUint16(b, sport)
		b = binary.BigEndian.AppendUint16(b, dport)
	}
	sum := sha1.Sum(b) //nolint:gosec // mandated by the spec
	h.out[0], h.out[1] = '1', ':'
	base64.StdEncoding.Encode(h.out[2:], sum[:])
	return string(h.out[:])
}
