package signature

import (
	"bytes"

	"github.com/flowsift/flowsift/internal/dissect"
)

// RADIUS (RFC 2865/2866/5176): a known code, a length equal to the
// datagram's, and attributes that fill it exactly.
func probeRADIUS(b []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP || len(b) < 20 {
		return dissect.No
	}
	switch b[0] {
	case 1, 2, 3, 4, 5, 11, 12, 13, 40, 41, 42, 43, 44, 45:
	default:
		return dissect.No
	}
	n := be16(b[2:])
	if n != len(b) || n > 4096 {
		return dissect.No
	}
	for a := b[20:]; len(a) > 0; {
		if len(a) < 2 || a[1] < 2 || int(a[1]) > len(a) {
			return dissect.No
		}
		a = a[a[1]:]
	}
	return dissect.Yes
}

// SSDP (UPnP): requests "M-SEARCH * HTTP/1.1" and "NOTIFY * HTTP/1.1" on
// UDP; a response "HTTP/1.1 200 OK" only on the SSDP port.
func probeSSDP(b []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP {
		return dissect.No
	}
	if bytes.HasPrefix(b, []byte("M-SEARCH * HTTP/1.1\r\n")) || bytes.HasPrefix(b, []byte("NOTIFY * HTTP/1.1\r\n")) {
		return dissect.Yes
	}
	return yesIf(h.OnPort && bytes.HasPrefix(b, []byte("HTTP/1.1 200 OK\r\n")))
}

// NetBIOS: the datagram service (RFC 1002 4.4, UDP 138) with its encoded
// source name, and the session service's session request (TCP 139) with
// two encoded names. The name service (UDP 137) is the DNS dissector's.
func probeNetBIOS(b []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP {
		if len(b) < 4 {
			if len(b) > 0 && b[0] == 0x81 {
				return dissect.Maybe
			}
			return dissect.No
		}
		if b[0] != 0x81 || b[1] > 1 || be16(b[2:]) < 68 {
			return dissect.No
		}
		if len(b) < 4+68 {
			return dissect.Maybe
		}
		return yesIf(netbiosName(b[4:]) && b[4+33] == 0 && netbiosName(b[4+34:]))
	}
	if len(b) < 14+34 || b[0] < 0x10 || b[0] > 0x12 {
		return dissect.No
	}
	n := be16(b[10:])
	return yesIf(be16(b[8:]) == 138 && 14+n <= len(b)+4 && netbiosName(b[14:]))
}

// IKE (RFC 2408/7296) on UDP 500, or after the 4-byte non-ESP marker on
// 4500: a major version 1 or 2, a valid next payload and exchange type,
// and a length equal to the datagram's.
func probeIPsec(b []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP {
		return dissect.No
	}
	if len(b) >= 4 && be32(b) == 0 {
		b = b[4:]
	}
	if len(b) < 28 || be32(b[24:]) != len(b) {
		return dissect.No
	}
	np, ver, ex := b[16], b[17], b[18]
	switch ver >> 4 {
	case 1:
		return yesIf(np >= 1 && np <= 13 && (ex <= 5 || ex >= 32 && ex <= 33))
	case 2:
		return yesIf((np >= 33 && np <= 53 || np == 0) && ex >= 34 && ex <= 43)
	}
	return dissect.No
}

// OpenVPN: the first packet of a session, a hard reset from the client
// (opcodes 1, 7 or 10, key id 0) or the server's answer (opcode 8), with
// an exact length for each key-direction variant: no authentication,
// tls-auth with SHA-1 or SHA-256, tls-crypt. Over TCP a 2-byte length
// comes first.
func probeOpenVPN(b []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP {
		if len(b) < 2 {
			return dissect.Maybe
		}
		n := be16(b)
		if n < 14 || n > 1500 {
			return dissect.No
		}
		if len(b) < 2+n {
			return dissect.Maybe
		}
		b = b[2 : 2+n]
	}
	if len(b) < 14 {
		return dissect.No
	}
	zero := func(x []byte) bool { return be32(x) == 0 }
	switch b[0] {
	case 0x08, 0x38, 0x50:
		switch {
		case len(b) == 14: // sid, ack count 0, packet id 0
			return yesIf(b[9] == 0 && zero(b[10:]))
		case len(b) == 42: // HMAC-SHA1, replay id 1
			return yesIf(be32(b[29:]) == 1 && b[37] == 0 && zero(b[38:]))
		case len(b) == 54: // HMAC-SHA256 or tls-crypt
			return yesIf(be32(b[41:]) == 1 && b[49] == 0 && zero(b[50:]) || be32(b[9:]) == 1)
		case b[0] == 0x50 && len(b) > 54: // tls-crypt-v2 with the wrapped client key
			return yesIf(be32(b[9:]) == 1)
		}
	case 0x40:
		switch {
		case len(b) == 26: // ack of the client's packet 0
			return yesIf(b[9] == 1 && zero(b[10:]) && zero(b[22:]))
		case len(b) == 54:
			return yesIf(be32(b[29:]) == 1 && b[37] == 1 && zero(b[38:]) && zero(b[50:]))
		}
	}
	return dissect.No
}

// WireGuard: the handshake messages have a type, three zero bytes and a
// fixed size (initiation 148, response 92, cookie reply 64).
func probeWireGuard(b []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP || len(b) < 4 || b[1] != 0 || b[2] != 0 || b[3] != 0 {
		return dissect.No
	}
	switch b[0] {
	case 1:
		return yesIf(len(b) == 148)
	case 2:
		return yesIf(len(b) == 92)
	case 3:
		return yesIf(len(b) == 64)
	case 4:
		return yesIf(h.OnPort && len(b) >= 32 && len(b)%16 == 0)
	}
	return dissect.No
}

// Syslog (RFC 3164/5424): "<PRI>" with PRI 0-191 and no leading zero,
// then text; off the syslog ports only the RFC 5424 version "1 " or an
// RFC 3164 timestamp may follow.
func probeSyslog(b []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP && len(b) > 0 && isDigit(b[0]) { // octet counting (RFC 6587)
		sp := bytes.IndexByte(b[:min(len(b), 8)], ' ')
		if sp < 1 {
			return dissect.No
		}
		b = b[sp+1:]
	}
	if len(b) < 4 || b[0] != '<' {
		return dissect.No
	}
	i, pri := 1, 0
	for ; i < len(b) && i < 4 && isDigit(b[i]); i++ {
		pri = pri*10 + int(b[i]-'0')
	}
	if i == 1 || i >= len(b) || b[i] != '>' || pri > 191 || b[1] == '0' && i > 2 {
		return dissect.No
	}
	rest := b[i+1:]
	if len(rest) < 16 || !printable(rest[:16]) {
		return dissect.No
	}
	if h.OnPort {
		return dissect.Yes
	}
	if rest[0] == '1' && rest[1] == ' ' {
		return dissect.Yes
	}
	for _, m := range []string{"Jan ", "Feb ", "Mar ", "Apr ", "May ", "Jun ", "Jul ", "Aug ", "Sep ", "Oct ", "Nov ", "Dec "} {
		if string(rest[:4]) == m && rest[9] == ':' && rest[12] == ':' {
			return dissect.Yes
		}
	}
	return dissect.No
}

// SNMP: a BER sequence filling the datagram, INTEGER version 0, 1 or 3,
// then a community string and a PDU tag (v1/v2c) or a header sequence
// (v3).
func probeSNMP(b []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP || len(b) < 10 || b[0] != 0x30 {
		return dissect.No
	}
	n, sz, ok := berLen(b[1:])
	if !ok || 1+sz+n != len(b) {
		return dissect.No
	}
	p := b[1+sz:]
	if len(p) < 5 || p[0] != 0x02 || p[1] != 1 || p[2] != 0 && p[2] != 1 && p[2] != 3 {
		return dissect.No
	}
	p = p[3:]
	if b[1+sz+2] == 3 {
		return yesIf(p[0] == 0x30)
	}
	if p[0] != 0x04 {
		return dissect.No
	}
	m, sz, ok := berLen(p[1:])
	if !ok || 1+sz+m >= len(p) {
		return dissect.No
	}
	tag := p[1+sz+m]
	return yesIf(tag >= 0xa0 && tag <= 0xa8)
}

// Kerberos 5 (RFC 4120): an application tag of a message type, a
// sequence, then pvno 5 and the msg-type matching the tag. Over TCP a
// 4-byte length comes first.
func probeKerberos(b []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP {
		if len(b) < 4 {
			return dissect.Maybe
		}
		if n := be32(b); n < 20 || n > 1<<16 {
			return dissect.No
		}
		b = b[4:]
	}
	if len(b) < 20 {
		if h.TCP {
			return dissect.Maybe
		}
		return dissect.No
	}
	tag := b[0]
	var typ byte
	switch tag {
	case 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x74, 0x75, 0x76, 0x7e:
		typ = tag - 0x60
	default:
		return dissect.No
	}
	_, sz, ok := berLen(b[1:])
	if !ok || len(b) < 1+sz+2 || b[1+sz] != 0x30 {
		return dissect.No
	}
	p := b[1+sz+1:]
	_, sz, ok = berLen(p)
	if !ok || len(p) < sz+10 {
		return dissect.No
	}
	p = p[sz:]
	// [n] INTEGER 5, [n+1] INTEGER type; KDC-REQ numbers them 1 and 2,
	// the others 0 and 1.
	return yesIf((p[0] == 0xa0 || p[0] == 0xa1) && string(p[1:5]) == "\x03\x02\x01\x05" && p[5] == p[0]+1 && string(p[6:9]) == "\x03\x02\x01" && p[9] == typ)
}

// LDAP (RFC 4511): a sequence, a message id, and a bind request with
// version 3, or any protocol op on the LDAP port.
func probeLDAP(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP || len(b) < 7 || b[0] != 0x30 {
		return dissect.No
	}
	_, sz, ok := berLen(b[1:])
	if !ok {
		return dissect.No
	}
	p := b[1+sz:]
	if len(p) < 6 || p[0] != 0x02 || p[1] < 1 || p[1] > 4 || len(p) < 2+int(p[1])+4 {
		return dissect.No
	}
	p = p[2+int(p[1]):]
	op := p[0]
	if op == 0x60 {
		_, sz, ok := berLen(p[1:])
		return yesIf(ok && len(p) >= 1+sz+3 && string(p[1+sz:1+sz+3]) == "\x02\x01\x03")
	}
	return yesIf(h.OnPort && (op >= 0x61 && op <= 0x79 || op == 0x42))
}

// TFTP (RFC 1350): a read or write request, a file name and a transfer
// mode. The transfer comes from another port of the server: it is
// announced to the engine.
func probeTFTP(b []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP || len(b) < 4 || b[0] != 0 || b[1] != 1 && b[1] != 2 {
		return dissect.No
	}
	parts := bytes.Split(b[2:], []byte{0})
	if len(parts) < 3 || len(parts[0]) == 0 || !printable(parts[0]) {
		return dissect.No
	}
	switch string(bytes.ToLower(parts[1])) {
	case "netascii", "octet", "mail":
		return dissect.Yes
	}
	return dissect.No
}

func expectTFTP(c *dissect.Context, data []byte, fromClient bool) {
	if fromClient && len(data) > 1 && data[0] == 0 && (data[1] == 1 || data[1] == 2) {
		c.Expect(c.Destination().Addr(), c.Source(), "tftp")
	}
}

// BGP (RFC 4271): the 16-byte all-ones marker, a length of 19-4096 and a
// message type 1-5.
func probeBGP(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP {
		return dissect.No
	}
	for i := 0; i < min(len(b), 16); i++ {
		if b[i] != 0xff {
			return dissect.No
		}
	}
	if len(b) < 19 {
		return dissect.Maybe
	}
	n := be16(b[16:])
	return yesIf(n >= 19 && n <= 4096 && b[18] >= 1 && b[18] <= 5)
}

// DNSCrypt: a response starts with the resolver magic "r6fnvWj8"; the
// certificate query is a DNS TXT query for "2.dnscrypt-cert.<provider>",
// taken on the DNSCrypt ports (elsewhere the DNS dissector names it).
// Encrypted queries start with a client magic only the certificate
// tells, so they are not recognised.
func probeDNSCrypt(b []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP {
		if len(b) < 2 {
			return dissect.Maybe
		}
		b = b[2:]
	}
	if bytes.HasPrefix(b, []byte("r6fnvWj8")) {
		return dissect.Yes
	}
	if len(b) < 12+17 || be16(b[4:]) != 1 || b[2]&0x78 != 0 {
		return dissect.No
	}
	q := b[12:]
	if q[0] != 1 || q[1] < '1' || q[1] > '9' || q[2] != 13 || string(q[3:16]) != "dnscrypt-cert" {
		return dissect.No
	}
	return dissect.Yes
}
