package signature_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/flowsift/flowsift/internal/dissect"
	"github.com/flowsift/flowsift/internal/dissect/signature"
	"github.com/flowsift/flowsift/internal/testutil"
	"github.com/flowsift/flowsift/internal/testutil/sensortest"
)

func sig(t *testing.T, name string) signature.Signature {
	t.Helper()
	for _, s := range signature.Signatures() {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no signature %q", name)
	return signature.Signature{}
}

var (
	udp     = dissect.Hint{FromClient: true}
	udpPort = dissect.Hint{FromClient: true, OnPort: true}
	tcp     = dissect.Hint{FromClient: true, TCP: true}
	tcpPort = dissect.Hint{FromClient: true, TCP: true, OnPort: true}
	tcpSrv  = dissect.Hint{TCP: true}
)

func hx(s string) []byte {
	var b []byte
	for i := 0; i+1 < len(s); i += 2 {
		var c byte
		fmt.Sscanf(s[i:i+2], "%02x", &c)
		b = append(b, c)
	}
	return b
}

// gnutellaPing is a Gnutella ping descriptor: GUID, type 0, TTL 1, hops 0,
// no payload.
var gnutellaPing = append(make([]byte, 16), 0, 1, 0, 0, 0, 0, 0)

func TestProbe(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		h    dissect.Hint
		want dissect.Verdict
	}{
		{"gnutella", []byte("GNUTELLA CONNECT/0.6\r\n"), tcp, dissect.Yes},
		{"gnutella", []byte("GNUTELLA"), tcp, dissect.Maybe},
		{"gnutella", []byte("GET /uri-res/N2R?urn:sha1:X HTTP/1.1\r\n"), tcp, dissect.No},
		{"gnutella", gnutellaPing, udp, dissect.Yes},
		{"gnutella", append(append([]byte{}, gnutellaPing...), 0), udp, dissect.No},
		{"gnutella", hx("064231022ef96b14544bb5ec5acfc2eb4400000600000005475455474b"), udp, dissect.Yes},
		{"gnutella", []byte("GND\x02\x00\x01\x01\x01payload"), udp, dissect.Yes},
		{"gnutella", []byte("GND\x02\x00\x01\x03\x01payload"), udp, dissect.No},
		{"dnscrypt", []byte("r6fnvWj8 and then the encrypted response"), udp, dissect.Yes},
		{"dnscrypt", hx("7f47010000010000000000010132") /* truncated */, udpPort, dissect.No},
		{"dnscrypt", append(hx("7f4701000001000000000001"), []byte("\x012\x0ddnscrypt-cert\x08provider\x00\x00\x10\x00\x01")...), udpPort, dissect.Yes},
		{"dnscrypt", append(hx("7f4701000001000000000001"), []byte("\x03www\x07example\x03com\x00\x00\x01\x00\x01")...), udpPort, dissect.No},
		{"stun", hx("000100002112a442414b37515079504b39657556"), udp, dissect.Yes},
		{"stun", hx("000100082112a442414b37515079504b39657556001900041100000000"), udp, dissect.No}, // length mismatch
		{"stun", hx("000100002112a443414b37515079504b39657556"), udp, dissect.No},
		{"stun", hx("00010000000000000000000000000000000000aa"), udpPort, dissect.Yes},
		{"stun", hx("00010000000000000000000000000000000000aa"), udp, dissect.No},
		{"whatsapp", hx("4544000100000408090805574105020004de12db"), tcp, dissect.Yes},
		{"whatsapp", hx("5741050200010e128b02"), tcp, dissect.Yes},
		{"whatsapp", []byte("WAIT"), tcp, dissect.No},
		{"whatsapp", hx("5741050200010e128b02"), tcpSrv, dissect.No},
		{"ethereum", hx("019d04f8533264ce803cfee80864dd8166f7c85c"), tcpPort, dissect.Yes},
		{"ethereum", hx("019d04f8533264ce803cfee80864dd8166f7c85c"), tcp, dissect.No},
		{"radius", hx("01000014000102030405060708090a0b0c0d0e0f"), udp, dissect.Yes},
		{"radius", hx("0100001a000102030405060708090a0b0c0d0e0f0106616263"), udp, dissect.No}, // attribute overruns
		{"radius", hx("0100001a000102030405060708090a0b0c0d0e0f010661626364"), udp, dissect.Yes},
		{"radius", hx("09000014000102030405060708090a0b0c0d0e0f"), udp, dissect.No},
		{"ssdp", []byte("M-SEARCH * HTTP/1.1\r\nHost: 239.255.255.250:1900\r\n"), udp, dissect.Yes},
		{"ssdp", []byte("HTTP/1.1 200 OK\r\n"), udp, dissect.No},
		{"ssdp", []byte("HTTP/1.1 200 OK\r\n"), udpPort, dissect.Yes},
		{"ssdp", []byte("M-SEARCH * HTTP/1.1\r\n"), tcp, dissect.No},
		{"netbios", hx("110245eec0a8052d008a0022000020454e45424544454345504550454c4542454a4643434e4546444245454441414100"), udp, dissect.Yes},
		{"netbios", hx("110245eec0a8052d008a00a0000020454e45424544454345504550454c4542454a4643434e4546444245454441417a00"), udp, dissect.No},
		{"bittorrent", []byte("\x13BitTorrent protocol\x00\x00\x00\x00"), tcp, dissect.Yes},
		{"bittorrent", []byte("\x13BitTorrent"), tcp, dissect.Maybe},
		{"bittorrent", []byte("d1:ad2:id20:abcdefghijklmnopqrst"), udp, dissect.Yes},
		{"bittorrent", hx("41004567ed639296000000000010000023c60000"), udp, dissect.Yes},
		{"bittorrent", hx("41004567ed639296000000010010000023c60000"), udp, dissect.No},
		{"ipsec", hx("1c1869f6d29ba0cc000000000000000021202208000000000000001c"), udp, dissect.Yes},
		{"ipsec", hx("1c1869f6d29ba0cc0000000000000000212022080000000000000021"), udp, dissect.No},
		{"openvpn", hx("3839fded2daa10a4370000000000"), udp, dissect.Yes},
		{"openvpn", hx("3839fded2daa10a4370100000000"), udp, dissect.No},
		{"openvpn", hx("000e3839fded2daa10a4370000000000"), tcp, dissect.Yes},
		{"wireguard", append([]byte{1, 0, 0, 0}, make([]byte, 144)...), udp, dissect.Yes},
		{"wireguard", append([]byte{1, 0, 0, 0}, make([]byte, 145)...), udp, dissect.No},
		{"syslog", []byte("<30>snmpd[6956]: Connection from UDP"), udpPort, dissect.Yes},
		{"syslog", []byte("<30>snmpd[6956]: Connection from UDP"), udp, dissect.No},
		{"syslog", []byte("<34>1 2003-10-11T22:14:15.003Z mymachine su - ID47"), udp, dissect.Yes},
		{"syslog", []byte("<192>1 2003-10-11T22:14:15.003Z mymachine su - ID47"), udp, dissect.No},
		{"snmp", hx("302902010104067075626c6963a11c02041eb1a1fb020100020100300e300c06082b060102010104000500"), udp, dissect.Yes},
		{"snmp", hx("302902010204067075626c6963a11c02041eb1a1fb020100020100300e300c06082b060102010104000500"), udp, dissect.No},
		{"kerberos", hx("6a82011b30820117a103020105a20302010aa35830563048a103020102a241043f303da003020117a2360434b60e0b50"), udp, dissect.Yes},
		{"kerberos", hx("6a82011b30820117a103020105a20302010ba35830563048a103020102a241043f303da003020117a2360434b60e0b50"), udp, dissect.No},
		{"sip", []byte("REGISTER sip:sip.example.com SIP/2.0\r\nVia: SIP/2.0/UDP"), udp, dissect.Yes},
		{"sip", []byte("SIP/2.0 401 Unauthorized\r\n"), udp, dissect.Yes},
		{"sip", []byte("GET / HTTP/1.1\r\n"), tcp, dissect.No},
		{"rtsp", []byte("OPTIONS rtsp://10.0.0.1/stream RTSP/1.0\r\nCSeq: 1\r\n"), tcp, dissect.Yes},
		{"rtsp", []byte("OPTIONS * HTTP/1.1\r\n"), tcp, dissect.No},
		{"rtp", hx("80080f62436d6bfc34127856d5d5d555d5d5d5d5"), udp, dissect.Yes},
		{"rtp", hx("80c80f62436d6bfc34127856d5d5d555d5d5d5d5"), udp, dissect.No},
		{"rtcp", hx("80c8000600000001000000000000000000000000000000000000000081ca00020000000101000000"), udp, dissect.Yes},
		{"dtls", hx("16fefd0000000000000000000c010000000000000000000000"), udp, dissect.Yes},
		{"dtls", hx("16030100a8010000a403035cef"), udp, dissect.No},
		{"mysql", append(hx("4a0000000a"), []byte("8.0.30\x00more")...), tcpSrv, dissect.Yes},
		{"mysql", append(hx("4a0000000a"), []byte("8.0.30\x00more")...), tcp, dissect.No},
		{"postgresql", hx("0000000804d2162f"), tcp, dissect.Yes},
		{"postgresql", hx("0000000904d2162f"), tcp, dissect.No},
		{"mssql", hx("0309014000000100160000001200000002000000"), tcpPort, dissect.Yes},
		{"mssql", hx("0309014000000100160000001200000002000000"), tcp, dissect.No},
		{"mongodb", hx("3b0000000000000000000000d4070000000000006162746573742e24636d6400"), tcp, dissect.No},
		{"mongodb", hx("200000000000000000000000d4070000000000006162746573742e24636d6400"), tcp, dissect.Yes},
		{"redis", []byte("*1\r\n$4\r\nPING\r\n"), tcp, dissect.Yes},
		{"rdp", hx("030000130ee00000000000010008000b000000"), tcpPort, dissect.Yes},
		{"rdp", hx("030000130ee00000000000010008000b000000"), tcp, dissect.No},
		{"smb", append(hx("00000045ff534d4272"), make([]byte, 60)...), tcp, dissect.Yes},
		{"smb", append(hx("00000045fe534d4240"), make([]byte, 60)...), tcp, dissect.Yes},
		{"smb", hx("00000045fe534d41"), tcp, dissect.No},
		{"telnet", hx("fffd18fffd20fffd23fffd27"), tcpSrv, dissect.Yes},
		{"vnc", []byte("RFB 003.008\n"), tcpSrv, dissect.Yes},
		{"mqtt", hx("101100044d5154540402003c00054275733431"), tcp, dissect.Yes},
		{"mqtt", hx("101100044d5154510402003c00054275733431"), tcp, dissect.No},
		{"coap", hx("4201e91b0790b8736570617261746510d12311"), udpPort, dissect.Yes},
		{"coap", hx("4201e91b0790b8736570617261746510d12311"), udp, dissect.No},
		{"dnp3", hx("056405c901000004a657"), tcp, dissect.Yes},
		{"dnp3", hx("056405c901000004a658"), tcp, dissect.No},
		{"iec60870", hx("680407000000"), tcp, dissect.Yes},
		{"bacnet", hx("810b000c0120ffff00ff1008"), udp, dissect.Yes},
		{"tftp", []byte("\x00\x01file.bin\x00octet\x00"), udp, dissect.Yes},
		{"tftp", []byte("\x00\x01file.bin\x00bogus\x00"), udp, dissect.No},
		{"zabbix", []byte("ZBXD\x01\x10\x00\x00\x00"), tcp, dissect.Yes},
		{"bgp", append(hx("ffffffffffffffffffffffffffffffff001d01"), make([]byte, 10)...), tcp, dissect.Yes},
		{"xmpp", []byte("<?xml version='1.0'?><stream:stream to='example.com' xmlns='jabber:client'"), tcp, dissect.Yes},
		{"amqp", []byte("AMQP\x00\x00\x09\x01"), tcp, dissect.Yes},
		{"raknet", append(append([]byte{5}, []byte("\x00\xff\xff\x00\xfe\xfe\xfe\xfe\xfd\xfd\xfd\xfd\x12\x34\x56\x78")...), 10), udp, dissect.Yes},
		{"spotify", []byte("SpotUdp0\x00\x01"), udp, dissect.Yes},
		{"imap", []byte("* OK [CAPABILITY IMAP4rev1] ready\r\n"), tcpSrv, dissect.Yes},
		{"imap", []byte("* OK ready\r\n"), tcpSrv, dissect.No},
		{"pop3", []byte("+OK POP3 server ready\r\n"), tcpSrv, dissect.Yes},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.name, i), func(t *testing.T) {
			if got := sig(t, tt.name).Probe(tt.data, tt.h); got != tt.want {
				t.Errorf("Probe(%q, %+v) = %v, want %v", tt.data, tt.h, got, tt.want)
			}
		})
	}
}

// ndpiLabel is the protocol nDPI names a flow by: the master of a
// two-part label, else the label.
func ndpiLabel(r map[string]any) string {
	if m, _ := r["master"].(string); m != "" {
		return m
	}
	a, _ := r["app"].(string)
	return a
}

// ndpiName maps our names to nDPI's.
var ndpiName = map[string]string{
	"gnutella": "Gnutella", "dnscrypt": "DNScrypt", "stun": "STUN", "whatsapp": "WhatsApp", "ethereum": "ETHEREUM",
	"radius": "Radius", "ssdp": "SSDP", "netbios": "NetBIOS", "bittorrent": "BitTorrent", "ipsec": "IPSec",
	"openvpn": "OpenVPN", "wireguard": "WireGuard", "syslog": "Syslog", "snmp": "SNMP", "kerberos": "Kerberos",
	"sip": "SIP", "rtsp": "RTSP", "rtp": "RTP", "rtcp": "RTCP", "dtls": "DTLS", "discord": "Discord", "mgcp": "MGCP",
	"mysql": "MySQL", "postgresql": "PostgreSQL", "mssql": "MsSQL-TDS", "mongodb": "MongoDB", "redis": "Redis",
	"rdp": "RDP", "smb": "SMBv23", "ldap": "LDAP", "imap": "IMAP", "pop3": "POP3", "telnet": "Telnet", "vnc": "VNC",
	"teamviewer": "TeamViewer", "mqtt": "MQTT", "coap": "COAP", "modbus": "Modbus", "dnp3": "DNP3",
	"iec60870": "IEC60870", "bacnet": "BACnet", "tftp": "TFTP", "zabbix": "Zabbix", "bgp": "BGP", "xmpp": "Jabber",
	"amqp": "AMQP", "nats": "Nats", "munin": "Munin", "rsync": "RSYNC", "mining": "Mining", "raknet": "RakNet",
	"tuyalp": "TuyaLP", "bjnp": "BJNP", "spotify": "Spotify", "dropbox": "Dropbox",
}

// sameProtocol says whether nDPI's label is what our name stands for
// (several nDPI labels map to one of ours).
func sameProtocol(ours, theirs string) bool {
	switch {
	case ndpiName[ours] == theirs:
		return true
	case ours == "smb":
		return theirs == "SMBv1" || theirs == "NetBIOS"
	case ours == "netbios":
		return theirs == "SMBv1" || theirs == "SMBv23"
	case ours == "stun":
		return theirs == "DTLS" || theirs == "WhatsAppCall" || theirs == "RTP" || theirs == "SRTP"
	case ours == "imap":
		return theirs == "IMAPS"
	case ours == "pop3":
		return theirs == "POPS"
	case ours == "mining":
		return theirs == "Monero"
	}
	return false
}

type ndpiFlow struct {
	pcap, label string
	dpi         bool
}

func readNDPI(t *testing.T) map[string]map[testutil.FlowKey]ndpiFlow {
	t.Helper()
	f, err := os.Open(filepath.Join(testutil.CorpusDir(t), "truth/ndpi-flows.jsonl"))
	if err != nil {
		t.Skipf("corpus absent: %v", err)
	}
	defer f.Close()
	out := map[string]map[testutil.FlowKey]ndpiFlow{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		var r map[string]any
		if json.Unmarshal(sc.Bytes(), &r) != nil {
			continue
		}
		l4 := testutil.Str(r["l4"])
		if l4 != "TCP" && l4 != "UDP" {
			continue
		}
		p := testutil.Str(r["pcap"])
		k := testutil.TupleKey(l4, testutil.Str(r["src"]), r["sport"], testutil.Str(r["dst"]), r["dport"])
		if out[p] == nil {
			out[p] = map[testutil.FlowKey]ndpiFlow{}
		}
		conf := testutil.Str(r["confidence"])
		out[p][k] = ndpiFlow{pcap: p, label: ndpiLabel(r), dpi: strings.HasPrefix(conf, "DPI")}
	}
	return out
}

// TestNDPIAgreement runs the sensor over the nDPI captures that hold a
// protocol of ours and compares each flow's network.protocol with nDPI's
// DPI label: per protocol, the share of nDPI's flows we name alike, and
// the flows we name that nDPI labels otherwise (false positives).
func TestNDPIAgreement(t *testing.T) {
	corpus := testutil.CorpusDir(t)
	truth := readNDPI(t)
	ours := map[string]string{} // nDPI label → our name
	for _, s := range signature.Signatures() {
		ours[ndpiName[s.Name]] = s.Name
	}
	var pcaps []string
	for p, flows := range truth {
		for _, f := range flows {
			if _, ok := ours[f.label]; ok && f.dpi {
				pcaps = append(pcaps, p)
				break
			}
		}
	}
	sort.Strings(pcaps)
	type score struct{ want, hit, labelled, fp int }
	scores := map[string]*score{}
	get := func(n string) *score {
		if scores[n] == nil {
			scores[n] = &score{}
		}
		return scores[n]
	}
	var fps []string
	for _, p := range pcaps {
		res := sensortest.Run(t, filepath.Join(corpus, "pcap/ndpi", p))
		got := map[testutil.FlowKey]string{}
		for _, m := range res.Records {
			if testutil.Str(sensortest.Get(m, "event.dataset")) != "flow" {
				continue
			}
			l4 := strings.ToUpper(testutil.Str(sensortest.Get(m, "network.transport")))
			k := testutil.TupleKey(l4, testutil.Str(sensortest.Get(m, "source.ip")), sensortest.Get(m, "source.port"),
				testutil.Str(sensortest.Get(m, "destination.ip")), sensortest.Get(m, "destination.port"))
			if proto := testutil.Str(sensortest.Get(m, "network.protocol")); proto != "" {
				got[k] = proto
			}
		}
		for k, f := range truth[p] {
			name := got[k]
			if n, ok := ours[f.label]; ok && f.dpi {
				s := get(n)
				s.want++
				if name == n {
					s.hit++
				}
			}
			if _, mine := ndpiName[name]; !mine {
				continue
			}
			get(name).labelled++
			if f.dpi && f.label != "Unknown" && !sameProtocol(name, f.label) {
				get(name).fp++
				fps = append(fps, fmt.Sprintf("%s %s: ours %s, nDPI %s", p, k, name, f.label))
			}
		}
	}
	var names []string
	for n := range scores {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "%-12s %6s %6s %7s %9s %4s\n", "protocol", "nDPI", "agree", "%", "labelled", "FP")
	tw, th, tl, tf := 0, 0, 0, 0
	for _, n := range names {
		s := scores[n]
		fmt.Fprintf(&b, "%-12s %6d %6d %6.1f%% %9d %4d\n", n, s.want, s.hit, testutil.Pct(s.hit, s.want), s.labelled, s.fp)
		tw, th, tl, tf = tw+s.want, th+s.hit, tl+s.labelled, tf+s.fp
	}
	fmt.Fprintf(&b, "%-12s %6d %6d %6.1f%% %9d %4d\n", "total", tw, th, testutil.Pct(th, tw), tl, tf)
	t.Logf("agreement with nDPI over %d captures:\n%s", len(pcaps), b.String())
	for _, s := range fps {
		t.Log("false positive:", s)
	}
	if tl > 0 && float64(tf) > 0.01*float64(tl) {
		t.Errorf("%d false positives among %d flows labelled (more than 1%%)", tf, tl)
	}
}

// TestOthersNotTaken checks that no signature says Yes on the first bytes
// of either side of flows nDPI labels TLS, HTTP, DNS, SSH or QUIC, with
// the port hint the engine would give.
func TestOthersNotTaken(t *testing.T) {
	corpus := testutil.CorpusDir(t)
	byPcap := map[string][]testutil.NDPIRow{}
	for _, app := range []string{"TLS", "HTTP", "DNS", "SSH", "QUIC"} {
		for _, r := range testutil.NDPIRows(t, app) {
			if r.Master == "" && r.App == app || r.Master == app {
				byPcap[r.Pcap] = append(byPcap[r.Pcap], r)
			}
		}
	}
	checked := 0
	for p, rows := range byPcap {
		flows, err := testutil.ReadFlows(filepath.Join(corpus, "pcap/ndpi", p))
		if err != nil {
			continue
		}
		byKey := map[testutil.FlowKey]*testutil.Flow{}
		for _, f := range flows {
			byKey[f.Key] = f
		}
		for _, r := range rows {
			f := byKey[r.Key()]
			if f == nil {
				continue
			}
			var firsts [][]byte
			tcp := f.Key.L4 == "TCP"
			if tcp {
				firsts = [][]byte{f.Stream(0), f.Stream(1)}
			} else if len(f.Grams) > 0 {
				firsts = [][]byte{f.Grams[0]}
			}
			for _, b := range firsts {
				if len(b) == 0 {
					continue
				}
				b = b[:min(len(b), 4096)]
				checked++
				for _, s := range signature.Signatures() {
					if tcp && !s.TCP || !tcp && !s.UDP {
						continue
					}
					on := slices.Contains(s.Ports, r.Sport) || slices.Contains(s.Ports, r.Dport)
					for _, h := range []dissect.Hint{{TCP: tcp, FromClient: true, OnPort: on}, {TCP: tcp, OnPort: on}} {
						if s.Probe(b, h) == dissect.Yes {
							t.Errorf("%s %s (nDPI %s/%s): %s says Yes on %q", p, r.Key(), r.Master, r.App, s.Name, b[:min(len(b), 32)])
						}
					}
				}
			}
		}
	}
	t.Logf("%d first payloads of TLS, HTTP, DNS, SSH and QUIC flows checked", checked)
}
