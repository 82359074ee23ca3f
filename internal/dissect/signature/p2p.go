package signature

import (
	"bytes"

	"github.com/flowsift/flowsift/internal/dissect"
)

// Gnutella 0.6: a TCP handshake line, a push (GIV), or UDP descriptors.
func probeGnutella(b []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP {
		return anyPrefix(b, h, "GNUTELLA CONNECT/", "GNUTELLA/0.6 ", "GIV ")
	}
	if v := gnutellaGND(b); v != dissect.No {
		return v
	}
	return yesIf(gnutellaDescriptors(b))
}

// gnutellaGND is LimeWire's UDP fragmentation header: "GND", flags,
// sequence (2), part and count of parts.
func gnutellaGND(b []byte) dissect.Verdict {
	if len(b) < 8 || string(b[:3]) != "GND" {
		return dissect.No
	}
	part, count := b[6], b[7]
	if count == 0 { // an acknowledgement
		return yesIf(len(b) <= 16)
	}
	return yesIf(part >= 1 && part <= count && len(b) > 8)
}

// gnutellaDescriptors checks that a datagram is a run of Gnutella
// descriptors: a 16-byte GUID, a payload type, TTL and hops (the DHT's
// version), and a little-endian payload length that ends exactly at the
// next descriptor or the datagram's end.
func gnutellaDescriptors(b []byte) bool {
	if len(b) < 23 {
		return false
	}
	for len(b) > 0 {
		if len(b) < 23 {
			return false
		}
		typ, ttl, hops := b[16], b[17], b[18]
		switch typ {
		case 0x00, 0x01, 0x02, 0x40, 0x80, 0x81, 0x31, 0x32:
			if ttl > 16 || hops > 16 || int(ttl)+int(hops) > 16 {
				return false
			}
		case 0x44: // DHT (Kademlia) message: TTL and hops carry its version
			if ttl > 2 {
				return false
			}
		default:
			return false
		}
		n := le32(b[19:])
		if n < 0 || n > len(b)-23 {
			return false
		}
		if n == 0 && typ != 0x00 && typ != 0x02 {
			return false
		}
		b = b[23+n:]
	}
	return true
}

// BitTorrent: the peer handshake, DHT KRPC (bencoded), uTP connection
// requests, and local peer discovery.
func probeBitTorrent(b []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP {
		return prefix(b, "\x13BitTorrent protocol", h)
	}
	for _, p := range []string{"d1:ad2:id20:", "d1:rd2:id20:", "BT-SEARCH * HTTP/1.1\r\n"} {
		if bytes.HasPrefix(b, []byte(p)) {
			return dissect.Yes
		}
	}
	if bytes.HasPrefix(b, []byte("d1:eli")) || bytes.HasPrefix(b, []byte("d2:ip")) && bytes.Contains(b, []byte("1:rd2:id20:")) {
		return dissect.Yes
	}
	// uTP ST_SYN (type 4, version 1), no extension, no timestamp
	// difference yet, acknowledging nothing: exactly 20 bytes.
	if len(b) == 20 && b[0] == 0x41 && b[1] == 0 && be32(b[8:]) == 0 && be16(b[18:]) == 0 {
		return dissect.Yes
	}
	return dissect.No
}

// Ethereum devp2p. RLPx (TCP) starts with an EIP-8 auth message: a 2-byte
// size then an ECIES ciphertext whose first byte is the uncompressed-key
// marker 0x04; discovery v4 (UDP) is a 32-byte hash, a 65-byte signature,
// a packet type 1-6 and an RLP list. Both are only tested on the
// well-known ports: they are otherwise random-looking.
func probeEthereum(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.OnPort {
		return dissect.No
	}
	if h.TCP {
		if len(b) < 3 {
			return dissect.Maybe
		}
		n := be16(b)
		return yesIf(b[2] == 0x04 && n >= 150 && n <= 2048 || len(b) == 307 && b[0] == 0x04)
	}
	return yesIf(len(b) >= 98+2 && len(b) <= 1280 && b[97] >= 1 && b[97] <= 6 && b[98] >= 0xc0)
}
