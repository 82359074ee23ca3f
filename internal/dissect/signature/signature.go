package signature

import (
	"bytes"
	"encoding/binary"

	"github.com/flowsift/flowsift/internal/dissect"
)

// Signature identifies one protocol from the first bytes of a flow.
type Signature struct {
	Name     string
	Doc      string
	TCP, UDP bool
	Ports    []uint16
	// Probe follows dissect.Registration.Probe: it reads data and keeps
	// nothing of it.
	Probe func(data []byte, h dissect.Hint) dissect.Verdict
	// Expect, when set, is told of the first bytes of the flow so that the
	// dissector can announce a related flow (a TFTP transfer).
	Expect func(c *dissect.Context, data []byte, fromClient bool)
}

// signatures is the table registered by init, roughly by how often the
// protocols appear in the nDPI corpus.
var signatures = []Signature{
	{Name: "gnutella", Doc: "Gnutella peer-to-peer: handshake, push, UDP descriptors and GND fragments (identification only).", TCP: true, UDP: true, Ports: []uint16{6346, 6347}, Probe: probeGnutella},
	{Name: "dnscrypt", Doc: "DNSCrypt: resolver responses and certificate queries (identification only).", UDP: true, TCP: true, Ports: []uint16{443, 1443, 2053, 4343, 5443, 8443}, Probe: probeDNSCrypt},
	{Name: "stun", Doc: "STUN/TURN (RFC 5389, classic RFC 3489 on its ports) (identification only).", TCP: true, UDP: true, Ports: []uint16{3478, 3479, 5349, 19302}, Probe: probeSTUN},
	{Name: "whatsapp", Doc: "WhatsApp chat: the Noise handshake prologue (identification only).", TCP: true, Ports: []uint16{5222}, Probe: probeWhatsApp},
	{Name: "ethereum", Doc: "Ethereum devp2p: RLPx handshake and discovery on port 30303 (identification only).", TCP: true, UDP: true, Ports: []uint16{30303}, Probe: probeEthereum},
	{Name: "radius", Doc: "RADIUS authentication, accounting and dynamic authorization (identification only).", UDP: true, Ports: []uint16{1812, 1813, 1645, 1646, 3799}, Probe: probeRADIUS},
	{Name: "ssdp", Doc: "SSDP (UPnP discovery) (identification only).", UDP: true, Ports: []uint16{1900}, Probe: probeSSDP},
	{Name: "netbios", Doc: "NetBIOS datagram and session services (identification only).", TCP: true, UDP: true, Ports: []uint16{138, 139}, Probe: probeNetBIOS},
	{Name: "bittorrent", Doc: "BitTorrent: peer handshake, DHT, uTP and local discovery (identification only).", TCP: true, UDP: true, Ports: []uint16{6881, 6969}, Probe: probeBitTorrent},
	{Name: "ipsec", Doc: "IPsec key exchange (IKEv1/IKEv2, also NAT-T) (identification only).", UDP: true, Ports: []uint16{500, 4500}, Probe: probeIPsec},
	{Name: "openvpn", Doc: "OpenVPN session start over UDP and TCP (identification only).", TCP: true, UDP: true, Ports: []uint16{1194}, Probe: probeOpenVPN},
	{Name: "wireguard", Doc: "WireGuard handshake (identification only).", UDP: true, Ports: []uint16{51820}, Probe: probeWireGuard},
	{Name: "syslog", Doc: "Syslog messages (RFC 3164/5424) (identification only).", TCP: true, UDP: true, Ports: []uint16{514, 601}, Probe: probeSyslog},
	{Name: "snmp", Doc: "SNMP v1, v2c and v3 (identification only).", UDP: true, Ports: []uint16{161, 162}, Probe: probeSNMP},
	{Name: "kerberos", Doc: "Kerberos 5 over UDP and TCP (identification only).", TCP: true, UDP: true, Ports: []uint16{88}, Probe: probeKerberos},
	{Name: "sip", Doc: "SIP requests and responses (identification only).", TCP: true, UDP: true, Ports: []uint16{5060}, Probe: probeSIP},
	{Name: "rtsp", Doc: "RTSP requests and responses (identification only).", TCP: true, Ports: []uint16{554, 8554}, Probe: probeRTSP},
	{Name: "rtp", Doc: "RTP media, version 2 with a known payload type (identification only).", UDP: true, Probe: probeRTP},
	{Name: "rtcp", Doc: "RTCP compound reports (identification only).", UDP: true, Probe: probeRTCP},
	{Name: "dtls", Doc: "DTLS records (identification only).", UDP: true, Probe: probeDTLS},
	{Name: "discord", Doc: "Discord voice IP discovery (identification only).", UDP: true, Probe: probeDiscord},
	{Name: "mgcp", Doc: "MGCP commands (identification only).", UDP: true, Ports: []uint16{2427, 2727}, Probe: probeMGCP},
	{Name: "mysql", Doc: "MySQL: server greeting and client handshake (identification only).", TCP: true, Ports: []uint16{3306}, Probe: probeMySQL},
	{Name: "postgresql", Doc: "PostgreSQL: startup, SSL, GSS and cancel requests (identification only).", TCP: true, Ports: []uint16{5432}, Probe: probePostgreSQL},
	{Name: "mssql", Doc: "Microsoft SQL Server TDS (identification only).", TCP: true, Ports: []uint16{1433}, Probe: probeTDS},
	{Name: "mongodb", Doc: "MongoDB wire protocol (identification only).", TCP: true, Ports: []uint16{27017, 27018, 27019}, Probe: probeMongoDB},
	{Name: "redis", Doc: "Redis RESP client commands (identification only).", TCP: true, Ports: []uint16{6379}, Probe: probeRedis},
	{Name: "rdp", Doc: "RDP connection request over TPKT/X.224 (identification only).", TCP: true, Ports: []uint16{3389}, Probe: probeRDP},
	{Name: "smb", Doc: "SMB 1/2/3 over the NetBIOS session header (identification only).", TCP: true, Ports: []uint16{445, 139}, Probe: probeSMB},
	{Name: "ldap", Doc: "LDAP: bind requests, any operation on its port (identification only).", TCP: true, Ports: []uint16{389, 3268}, Probe: probeLDAP},
	{Name: "imap", Doc: "IMAP server greeting (identification only).", TCP: true, Ports: []uint16{143}, Probe: probeIMAP},
	{Name: "pop3", Doc: "POP3 server greeting (identification only).", TCP: true, Ports: []uint16{110}, Probe: probePOP3},
	{Name: "telnet", Doc: "Telnet option negotiation (identification only).", TCP: true, Ports: []uint16{23}, Probe: probeTelnet},
	{Name: "vnc", Doc: "VNC (RFB) version handshake (identification only).", TCP: true, Ports: []uint16{5900, 5901}, Probe: probeVNC},
	{Name: "teamviewer", Doc: "TeamViewer (identification only).", TCP: true, Ports: []uint16{5938}, Probe: probeTeamViewer},
	{Name: "mqtt", Doc: "MQTT CONNECT (identification only).", TCP: true, Ports: []uint16{1883}, Probe: probeMQTT},
	{Name: "coap", Doc: "CoAP on its ports (identification only).", UDP: true, Ports: []uint16{5683}, Probe: probeCoAP},
	{Name: "modbus", Doc: "Modbus/TCP on port 502 (identification only).", TCP: true, Ports: []uint16{502}, Probe: probeModbus},
	{Name: "dnp3", Doc: "DNP3 link frames with a valid header CRC (identification only).", TCP: true, UDP: true, Ports: []uint16{20000}, Probe: probeDNP3},
	{Name: "iec60870", Doc: "IEC 60870-5-104 (identification only).", TCP: true, Ports: []uint16{2404}, Probe: probeIEC104},
	{Name: "bacnet", Doc: "BACnet/IP (identification only).", UDP: true, Ports: []uint16{47808}, Probe: probeBACnet},
	{Name: "tftp", Doc: "TFTP read and write requests; the transfer flow is labelled too (identification only).", UDP: true, Ports: []uint16{69}, Probe: probeTFTP, Expect: expectTFTP},
	{Name: "zabbix", Doc: "Zabbix agent and sender protocol (identification only).", TCP: true, Ports: []uint16{10050, 10051}, Probe: probeZabbix},
	{Name: "bgp", Doc: "BGP messages (identification only).", TCP: true, Ports: []uint16{179}, Probe: probeBGP},
	{Name: "xmpp", Doc: "XMPP (Jabber) stream header (identification only).", TCP: true, Ports: []uint16{5222, 5269}, Probe: probeXMPP},
	{Name: "amqp", Doc: "AMQP protocol header (identification only).", TCP: true, Ports: []uint16{5672}, Probe: probeAMQP},
	{Name: "nats", Doc: "NATS server greeting and client connect (identification only).", TCP: true, Ports: []uint16{4222}, Probe: probeNATS},
	{Name: "munin", Doc: "Munin node greeting (identification only).", TCP: true, Ports: []uint16{4949}, Probe: probeMunin},
	{Name: "rsync", Doc: "rsync daemon greeting (identification only).", TCP: true, Ports: []uint16{873}, Probe: probeRsync},
	{Name: "mining", Doc: "Stratum cryptocurrency mining (identification only).", TCP: true, Probe: probeMining},
	{Name: "raknet", Doc: "RakNet offline messages (identification only).", UDP: true, Probe: probeRakNet},
	{Name: "tuyalp", Doc: "Tuya local protocol (identification only).", TCP: true, UDP: true, Ports: []uint16{6666, 6667, 6668}, Probe: probeTuyaLP},
	{Name: "bjnp", Doc: "Canon BJNP printer discovery (identification only).", UDP: true, Ports: []uint16{8611, 8612}, Probe: probeBJNP},
	{Name: "spotify", Doc: "Spotify LAN discovery (identification only).", UDP: true, Ports: []uint16{57621}, Probe: probeSpotify},
	{Name: "dropbox", Doc: "Dropbox LAN sync discovery (identification only).", UDP: true, Ports: []uint16{17500}, Probe: probeDropbox},
}

// Signatures returns the table of signatures this package registers.
func Signatures() []Signature { return signatures }

func init() {
	for i := range signatures {
		s := &signatures[i]
		dissect.Register(dissect.Registration{
			Name:  s.Name,
			Doc:   s.Doc,
			TCP:   s.TCP,
			UDP:   s.UDP,
			Ports: s.Ports,
			Probe: s.Probe,
			New:   func() dissect.Dissector { return &dissector{expect: s.Expect} },
		})
	}
}

// dissector names the flow (the engine sets network.protocol from the
// registration) and stops inspecting it.
type dissector struct {
	expect func(c *dissect.Context, data []byte, fromClient bool)
}

var _ dissect.Dissector = (*dissector)(nil)

// Data implements dissect.Dissector.
func (d *dissector) Data(c *dissect.Context, data []byte, fromClient bool) (dissect.Status, error) {
	if d.expect != nil {
		d.expect(c, data, fromClient)
	}
	return dissect.Finished, nil
}

// Gap implements dissect.Dissector.
func (d *dissector) Gap(*dissect.Context, int, bool) {}

// End implements dissect.Dissector.
func (d *dissector) End(*dissect.Context, bool) {}

// yesIf turns a condition into Yes or No.
func yesIf(ok bool) dissect.Verdict {
	if ok {
		return dissect.Yes
	}
	return dissect.No
}

// prefix compares the start of data with p: Yes when data starts with p,
// Maybe when data is a proper prefix of p (a TCP stream may say more),
// else No.
func prefix(data []byte, p string, h dissect.Hint) dissect.Verdict {
	n := min(len(data), len(p))
	if string(data[:n]) != p[:n] {
		return dissect.No
	}
	if n == len(p) {
		return dissect.Yes
	}
	if h.TCP {
		return dissect.Maybe
	}
	return dissect.No
}

// anyPrefix is prefix over several alternatives.
func anyPrefix(data []byte, h dissect.Hint, ps ...string) dissect.Verdict {
	v := dissect.No
	for _, p := range ps {
		switch prefix(data, p, h) {
		case dissect.Yes:
			return dissect.Yes
		case dissect.Maybe:
			v = dissect.Maybe
		}
	}
	return v
}

func be16(b []byte) int { return int(binary.BigEndian.Uint16(b)) }
func be32(b []byte) int { return int(binary.BigEndian.Uint32(b)) }
func le32(b []byte) int { return int(binary.LittleEndian.Uint32(b)) }

// line returns the first line of data without its CRLF, and whether it
// ended within max bytes.
func line(data []byte, max int) ([]byte, bool) {
	i := bytes.IndexByte(data[:min(len(data), max)], '\n')
	if i < 0 {
		return nil, false
	}
	return bytes.TrimSuffix(data[:i], []byte{'\r'}), true
}

// printable reports whether b is printable ASCII (tabs allowed).
func printable(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 || c > 0x7e) && c != '\t' {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// netbiosName reports whether b starts with an encoded NetBIOS name: the
// length 32 and 32 letters A to P (RFC 1001 first-level encoding).
func netbiosName(b []byte) bool {
	if len(b) < 34 || b[0] != 32 {
		return false
	}
	for _, c := range b[1:33] {
		if c < 'A' || c > 'P' {
			return false
		}
	}
	return true
}

// berLen reads a BER definite length at b: the length and the size of
// its encoding, or ok false.
func berLen(b []byte) (n, size int, ok bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	if b[0] < 0x80 {
		return int(b[0]), 1, true
	}
	k := int(b[0] & 0x7f)
	if k == 0 || k > 3 || len(b) < 1+k {
		return 0, 0, false
	}
	for _, c := range b[1 : 1+k] {
		n = n<<8 | int(c)
	}
	return n, 1 + k, true
}
