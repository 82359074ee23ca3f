package signature

import (
	"bytes"

	"github.com/flowsift/flowsift/internal/dissect"
)

// MySQL: the server greeting (3-byte length, sequence 0, protocol 10, a
// version string starting with a digit), or on the MySQL port a client
// handshake response (sequence 1, CLIENT_PROTOCOL_41).
func probeMySQL(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP {
		return dissect.No
	}
	if len(b) < 5 {
		return dissect.Maybe
	}
	n := int(b[0]) | int(b[1])<<8 | int(b[2])<<16
	if n < 4 || n > 1<<16 {
		return dissect.No
	}
	if !h.FromClient && b[3] == 0 && b[4] == 10 {
		if len(b) < 6 {
			return dissect.Maybe
		}
		end := bytes.IndexByte(b[5:min(len(b), 5+64)], 0)
		return yesIf(end > 0 && isDigit(b[5]) && printable(b[5:5+end]))
	}
	if h.OnPort && h.FromClient && b[3] == 1 && len(b) >= 4+32 {
		return yesIf(b[5]&0x02 != 0 && allZero(b[4+9:4+32]))
	}
	return dissect.No
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// PostgreSQL: a StartupMessage (protocol 3.0) or the 8/16-byte SSL, GSS
// and cancel requests with their magic codes.
func probePostgreSQL(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP || !h.FromClient {
		return dissect.No
	}
	if len(b) < 8 {
		return dissect.Maybe
	}
	n, code := be32(b), be32(b[4:])
	switch code {
	case 80877103, 80877104: // SSLRequest, GSSENCRequest
		return yesIf(n == 8)
	case 80877102: // CancelRequest
		return yesIf(n == 16)
	case 0x00030000:
		if n < 9 || n > 10000 {
			return dissect.No
		}
		if len(b) < 9 {
			return dissect.Maybe
		}
		return yesIf(b[8] >= 'a' && b[8] <= 'z')
	}
	return dissect.No
}

// TDS (Microsoft SQL Server): the 8-byte packet header (type, status,
// length, SPID, packet id, window 0). A pre-login is taken anywhere,
// other types on the SQL Server port.
func probeTDS(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP {
		return dissect.No
	}
	if len(b) < 8 {
		return dissect.Maybe
	}
	typ, status, n := b[0], b[1], be16(b[2:])
	if status&^0x19 != 0 || n < 8 || b[7] != 0 {
		return dissect.No
	}
	switch typ {
	case 0x12: // pre-login: option tokens with offsets, ended by 0xff
		if !h.FromClient && !h.OnPort {
			return dissect.No
		}
		return yesIf(n <= 4096 && len(b) >= 13 && b[8] == 0 && be16(b[9:]) < n && (h.OnPort || b[6] <= 1))
	case 0x01, 0x03, 0x04, 0x07, 0x0e, 0x0f, 0x10, 0x11:
		return yesIf(h.OnPort)
	}
	return dissect.No
}

// MongoDB wire protocol: a little-endian message length, request id,
// response-to and an opcode (OP_QUERY 2004, OP_MSG 2013, OP_COMPRESSED
// 2012, OP_REPLY 1).
func probeMongoDB(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP {
		return dissect.No
	}
	if len(b) < 16 {
		return dissect.Maybe
	}
	n, resp, op := le32(b), le32(b[8:]), le32(b[12:])
	if n < 21 || n > 48<<20 {
		return dissect.No
	}
	switch op {
	case 2004, 2013, 2012:
		return yesIf(h.OnPort || resp == 0 && h.FromClient && n <= len(b))
	case 1:
		return yesIf(h.OnPort)
	}
	return dissect.No
}

// Redis RESP: a client command as an array of bulk strings, "*N\r\n$M\r\n"
// then a letter.
func probeRedis(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP || !h.FromClient || len(b) == 0 || b[0] != '*' {
		return dissect.No
	}
	i := 1
	for i < len(b) && i < 4 && isDigit(b[i]) {
		i++
	}
	if i == 1 || len(b) < i+4 || string(b[i:i+3]) != "\r\n$" {
		if len(b) < 12 {
			return dissect.Maybe
		}
		return dissect.No
	}
	j := i + 3
	k := j
	for k < len(b) && k < j+3 && isDigit(b[k]) {
		k++
	}
	if k == j || len(b) < k+3 {
		return dissect.Maybe
	}
	c := b[k+2] | 0x20
	return yesIf(string(b[k:k+2]) == "\r\n" && c >= 'a' && c <= 'z')
}

// RDP: a TPKT header (version 3) carrying an X.224 connection request
// (or confirm) whose length indicator matches, on the RDP port or with
// the "Cookie: mstshash=" the client sends.
func probeRDP(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP {
		return dissect.No
	}
	if len(b) < 7 {
		if len(b) > 0 && b[0] == 3 {
			return dissect.Maybe
		}
		return dissect.No
	}
	n := be16(b[2:])
	if b[0] != 3 || b[1] != 0 || n < 11 || n > 1024 || int(b[4]) != n-5 || b[5] != 0xe0 && b[5] != 0xd0 {
		return dissect.No
	}
	return yesIf(h.OnPort || bytes.Contains(b[:min(len(b), n)], []byte("Cookie: mstshash=")))
}

// SMB 1, 2 and 3 behind a NetBIOS session message header.
func probeSMB(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP {
		return dissect.No
	}
	if len(b) < 8 {
		if len(b) > 0 && b[0] == 0 {
			return dissect.Maybe
		}
		return dissect.No
	}
	if b[0] != 0 || int(b[1])<<16|be16(b[2:]) < 32 {
		return dissect.No
	}
	m := string(b[4:8])
	return yesIf(m == "\xffSMB" || m == "\xfeSMB" || m == "\xfdSMB")
}

// Telnet: option negotiation (IAC, WILL/WONT/DO/DONT, an option number)
// from the first byte; two commands off the Telnet port.
func probeTelnet(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP {
		return dissect.No
	}
	need := 2
	if h.OnPort {
		need = 1
	}
	for i := 0; i < need; i++ {
		if len(b) < 3*(i+1) {
			if len(b) > 0 && b[0] == 0xff {
				return dissect.Maybe
			}
			return dissect.No
		}
		c := b[3*i:]
		if c[0] != 0xff || c[1] < 0xfb || c[2] > 49 && c[2] != 255 {
			return dissect.No
		}
	}
	return dissect.Yes
}

// VNC: the RFB version string "RFB 003.008\n".
func probeVNC(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP {
		return dissect.No
	}
	if len(b) < 12 {
		return prefix(b, "RFB 00", h)
	}
	return yesIf(string(b[:4]) == "RFB " && isDigit(b[4]) && isDigit(b[5]) && isDigit(b[6]) && b[7] == '.' && isDigit(b[8]) && isDigit(b[9]) && isDigit(b[10]) && b[11] == '\n')
}

// TeamViewer's TCP packets start with 0x17 0x24 (0x11 0x30 in older
// versions) and a command byte; off its port only the client's
// CMD_IDENTIFY-like opening "17 24 0a 20" is taken.
func probeTeamViewer(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP {
		return dissect.No
	}
	if len(b) < 4 {
		return dissect.No
	}
	if h.OnPort {
		return yesIf(b[0] == 0x17 && b[1] == 0x24 || b[0] == 0x11 && b[1] == 0x30)
	}
	return yesIf(string(b[:4]) == "\x17\x24\x0a\x20")
}

// IMAP: the server greeting "* OK" or "* PREAUTH"; off the IMAP port it
// must name IMAP.
func probeIMAP(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP || h.FromClient {
		return dissect.No
	}
	if !bytes.HasPrefix(b, []byte("* OK")) && !bytes.HasPrefix(b, []byte("* PREAUTH")) {
		return dissect.No
	}
	l, ok := line(b, 1024)
	if !ok {
		return dissect.Maybe
	}
	return yesIf(h.OnPort || bytes.Contains(bytes.ToUpper(l), []byte("IMAP")))
}

// POP3: the server greeting "+OK"; off the POP3 port it must name POP.
func probePOP3(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP || h.FromClient || !bytes.HasPrefix(b, []byte("+OK")) {
		return dissect.No
	}
	l, ok := line(b, 1024)
	if !ok {
		return dissect.Maybe
	}
	return yesIf(h.OnPort || bytes.Contains(bytes.ToUpper(l), []byte("POP")))
}

// XMPP: an XML stream header in the jabber:client or jabber:server
// namespace.
func probeXMPP(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP || len(b) < 5 || b[0] != '<' {
		return dissect.No
	}
	head := b[:min(len(b), 512)]
	if bytes.Contains(head, []byte("<stream:stream")) && bytes.Contains(head, []byte("jabber:")) {
		return dissect.Yes
	}
	if len(b) < 512 && (bytes.HasPrefix(b, []byte("<?xml")) || bytes.HasPrefix(b, []byte("<stream"))) {
		return dissect.Maybe
	}
	return dissect.No
}

// AMQP: the protocol header "AMQP" and four version bytes.
func probeAMQP(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP {
		return dissect.No
	}
	if len(b) < 8 {
		return prefix(b, "AMQP", h)
	}
	return yesIf(string(b[:4]) == "AMQP" && b[4] <= 3 && b[5] <= 1 && b[6] <= 10)
}

// NATS: the server's INFO line with its JSON object, or the client's
// CONNECT.
func probeNATS(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP {
		return dissect.No
	}
	return anyPrefix(b, h, "INFO {\"server_id\":", "CONNECT {\"verbose\":")
}

// Munin: the node's greeting.
func probeMunin(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP || h.FromClient {
		return dissect.No
	}
	return prefix(b, "# munin node at ", h)
}

// rsync daemon: the "@RSYNCD: " version greeting.
func probeRsync(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP {
		return dissect.No
	}
	return prefix(b, "@RSYNCD: ", h)
}

// Stratum mining: a JSON-RPC line calling a "mining." method.
func probeMining(b []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP || len(b) < 2 || b[0] != '{' {
		return dissect.No
	}
	l, ok := line(b, 2048)
	if !ok {
		if len(b) < 2048 {
			return dissect.Maybe
		}
		return dissect.No
	}
	return yesIf(bytes.Contains(l, []byte(`"method"`)) && (bytes.Contains(l, []byte(`"mining.`)) || bytes.Contains(l, []byte(`"login"`)) && bytes.Contains(l, []byte(`"agent"`))))
}
