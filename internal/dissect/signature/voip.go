package signature

import (
	"bytes"

	"github.com/flowsift/flowsift/internal/dissect"
)

// STUN and TURN (RFC 5389/8489): two zero bits, a message length that is
// a multiple of 4 and the magic cookie; the attributes must fill the
// message exactly. The classic protocol (RFC 3489, no cookie) is taken
// only on the STUN ports.
func probeSTUN(b []byte, h dissect.Hint) dissect.Verdict {
	if len(b) < 20 {
		if h.TCP && len(b) > 0 && b[0]&0xc0 == 0 {
			return dissect.Maybe
		}
		return dissect.No
	}
	if b[0]&0xc0 != 0 {
		return dissect.No
	}
	n := be16(b[2:])
	if n%4 != 0 || 20+n > len(b) || !h.TCP && 20+n != len(b) {
		return dissect.No
	}
	if !stunAttrs(b[20 : 20+n]) {
		return dissect.No
	}
	if be32(b[4:]) == 0x2112a442 {
		return dissect.Yes
	}
	switch be16(b) {
	case 0x0001, 0x0101, 0x0111, 0x0002, 0x0102, 0x0112:
		return yesIf(h.OnPort)
	}
	return dissect.No
}

// stunAttrs checks that TLVs padded to 4 bytes fill b exactly.
func stunAttrs(b []byte) bool {
	for len(b) > 0 {
		if len(b) < 4 {
			return false
		}
		l := (be16(b[2:]) + 3) &^ 3
		if 4+l > len(b) {
			return false
		}
		b = b[4+l:]
	}
	return true
}

// DTLS records (RFC 6347/9147): content type 20-25, a DTLS version
// (0xfeff, 0xfefd, 0xfefc, or OpenSSL's pre-standard 0x0100), a 2-byte
// epoch, a 6-byte sequence and lengths that chain to the datagram's end.
func probeDTLS(b []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP || len(b) < 13 {
		return dissect.No
	}
	first := true
	for len(b) > 0 {
		if len(b) < 13 || b[0] < 20 || b[0] > 25 {
			return dissect.No
		}
		switch be16(b[1:]) {
		case 0xfeff, 0xfefd, 0xfefc, 0x0100:
		default:
			return dissect.No
		}
		n := be16(b[11:])
		if n == 0 || 13+n > len(b) {
			return dissect.No
		}
		if first && b[0] == 22 && be16(b[3:]) == 0 && (n < 12 || b[13] < 1 || b[13] > 24) {
			return dissect.No // a handshake in epoch 0 starts with a known type
		}
		first = false
		b = b[13+n:]
	}
	return dissect.Yes
}

var sipMethods = []string{"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "PRACK", "SUBSCRIBE", "NOTIFY", "PUBLISH", "INFO", "REFER", "MESSAGE", "UPDATE"}

// SIP (RFC 3261): a status line "SIP/2.0 NNN " or a request line
// "METHOD sip:… SIP/2.0".
func probeSIP(b []byte, h dissect.Hint) dissect.Verdict {
	l, ok := line(b, 1024)
	if !ok {
		if h.TCP && len(b) < 1024 {
			return dissect.Maybe
		}
		return dissect.No
	}
	if len(l) >= 12 && string(l[:8]) == "SIP/2.0 " && isDigit(l[8]) && isDigit(l[9]) && isDigit(l[10]) && l[11] == ' ' {
		return dissect.Yes
	}
	sp := bytes.IndexByte(l, ' ')
	if sp < 0 || !bytes.HasSuffix(l, []byte(" SIP/2.0")) {
		return dissect.No
	}
	m, uri := string(l[:sp]), l[sp+1:]
	for _, x := range sipMethods {
		if m == x && (bytes.HasPrefix(uri, []byte("sip:")) || bytes.HasPrefix(uri, []byte("sips:")) || bytes.HasPrefix(uri, []byte("tel:"))) {
			return dissect.Yes
		}
	}
	return dissect.No
}

var rtspMethods = []string{"OPTIONS", "DESCRIBE", "SETUP", "PLAY", "PAUSE", "TEARDOWN", "ANNOUNCE", "RECORD", "GET_PARAMETER", "SET_PARAMETER", "REDIRECT"}

// RTSP (RFC 2326): "RTSP/1.0 NNN" or "METHOD url RTSP/1.0".
func probeRTSP(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP {
		return dissect.No
	}
	l, ok := line(b, 2048)
	if !ok {
		if h.TCP && len(b) < 2048 && (bytes.HasPrefix(b, []byte("RTSP/")) || upperWord(b)) {
			return dissect.Maybe
		}
		return dissect.No
	}
	if len(l) >= 12 && (string(l[:9]) == "RTSP/1.0 " || string(l[:9]) == "RTSP/2.0 ") && isDigit(l[9]) {
		return dissect.Yes
	}
	sp := bytes.IndexByte(l, ' ')
	if sp < 0 || !(bytes.HasSuffix(l, []byte(" RTSP/1.0")) || bytes.HasSuffix(l, []byte(" RTSP/2.0"))) {
		return dissect.No
	}
	for _, x := range rtspMethods {
		if string(l[:sp]) == x {
			return dissect.Yes
		}
	}
	return dissect.No
}

// upperWord reports whether b starts with capital letters (a request
// method still arriving).
func upperWord(b []byte) bool {
	for i, c := range b {
		if c == ' ' {
			return i > 0
		}
		if !isUpper(c) && c != '_' {
			return false
		}
	}
	return len(b) > 0
}

// RTP (RFC 3550) has no signature beyond its version bits; this takes
// version 2 without padding, extension or CSRCs, a payload type of the
// static audio/video table or the dynamic range, and a non-zero SSRC, on
// UDP only. RTCP is told apart by its packet types 200-204.
func probeRTP(b []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP || len(b) < 20 || b[0] != 0x80 && b[0] != 0x90 {
		return dissect.No
	}
	pt := b[1] & 0x7f
	if be32(b[8:]) == 0 {
		return dissect.No
	}
	switch {
	case pt == 0 || pt == 3 || pt == 4 || pt == 8 || pt == 9 || pt == 18 || pt == 26 || pt == 31 || pt == 34:
	case pt >= 96 && pt <= 127:
	default:
		return dissect.No
	}
	if b[0] == 0x90 { // header extension: its length must fit
		if len(b) < 16 || 16+4*be16(b[14:]) > len(b) {
			return dissect.No
		}
	}
	return dissect.Yes
}

// probeRTCP takes compound RTCP packets: version 2, types 200-204 and
// lengths that chain to the end of the datagram.
func probeRTCP(b []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP || len(b) < 8 {
		return dissect.No
	}
	if b[1] != 200 && b[1] != 201 { // a compound packet starts with SR or RR
		return dissect.No
	}
	for len(b) > 0 {
		if len(b) < 4 || b[0]&0xc0 != 0x80 || b[1] < 200 || b[1] > 206 {
			return dissect.No
		}
		n := 4 * (be16(b[2:]) + 1)
		if n > len(b) {
			return dissect.No
		}
		b = b[n:]
	}
	return dissect.Yes
}

// WhatsApp's Noise handshake starts with the prologue "WA", a protocol
// major and minor version, or with the edge-routing header "ED\x00\x01",
// a 3-byte length and routing data before "WA".
func probeWhatsApp(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP || !h.FromClient {
		return dissect.No
	}
	if len(b) < 4 {
		return anyPrefix(b, h, "WA", "ED\x00\x01")
	}
	if string(b[:4]) == "ED\x00\x01" {
		if len(b) < 7 {
			return dissect.Maybe
		}
		n := int(b[4])<<16 | be16(b[5:])
		if n > 1024 {
			return dissect.No
		}
		rest := b[7:]
		if len(rest) < n+4 {
			return dissect.Maybe
		}
		b = rest[n:]
	}
	return yesIf(b[0] == 'W' && b[1] == 'A' && b[2] >= 1 && b[2] <= 9 && b[3] <= 9)
}

// Discord voice IP discovery: type 1 (request) or 2 (response), length
// 70, SSRC, a 64-byte address and a port: 74 bytes.
func probeDiscord(b []byte, h dissect.Hint) dissect.Verdict {
	return yesIf(!h.TCP && len(b) == 74 && (be16(b) == 1 || be16(b) == 2) && be16(b[2:]) == 70)
}

// MGCP (RFC 3435): a command verb, a transaction id, an endpoint and
// "MGCP 1.0", or a response code and transaction id.
func probeMGCP(b []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP {
		return dissect.No
	}
	l, ok := line(b, 512)
	if !ok || len(l) < 10 {
		return dissect.No
	}
	for _, v := range []string{"EPCF ", "CRCX ", "MDCX ", "DLCX ", "RQNT ", "NTFY ", "AUEP ", "AUCX ", "RSIP "} {
		if bytes.HasPrefix(l, []byte(v)) && bytes.Contains(l, []byte(" MGCP 1.0")) {
			return dissect.Yes
		}
	}
	return dissect.No
}
