package quic

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/flowsift/flowsift/internal/dissect"
	"github.com/flowsift/flowsift/internal/record"
)

func init() {
	dissect.Register(dissect.Registration{
		Name:  "quic",
		Doc:   "QUIC over UDP on any port (v1, v2, IETF drafts, mvfst; Google QUIC recognised): one record per connection with the TLS ClientHello/ServerHello of its Initial packets (SNI, ALPN, JA4/JA4S with the q prefix).",
		UDP:   true,
		Ports: []uint16{443, 80, 8443},
		Probe: probe,
		New:   func() dissect.Dissector { return newDissector() },
	})
}

// maxDatagrams stops the inspection of a connection whose hellos did not
// both show up (one direction missing, an undecryptable version): the
// Initial packets all come at its start.
const maxDatagrams = 32

var defaultConfig = DefaultConfig()

// dissector follows the Initial packets of one QUIC connection.
type dissector struct {
	conn      *Conn
	decided   bool // which side is the client is decided
	swap      bool // the flow's responder sent the first Initial
	start     int64
	datagrams int
	named     bool
	google    uint32 // Google QUIC version (its own crypto handshake)
	reserved  uint32 // a version-negotiation-forcing version the client sent
	googleSNI string
	emitted   bool
}

func newDissector() *dissector {
	c, _ := NewConn(defaultConfig) // the default config is valid
	return &dissector{conn: c}
}

// Data implements dissect.Dissector.
func (d *dissector) Data(c *dissect.Context, data []byte, fromClient bool) (dissect.Status, error) {
	if d.emitted {
		return dissect.Finished, nil
	}
	if !d.decided && len(data) > 0 && data[0]&0x80 != 0 {
		// The client sends the first long-header packet; a capture that
		// starts with the server's can make it the flow's initiator.
		d.decided, d.swap = true, !fromClient
	}
	if !d.decided && googleServerHandshake(data) {
		// The client's packets are missing from the capture: the server's
		// Google QUIC messages name no host.
		d.emitted = true
		return dissect.Finished, nil
	}
	client := fromClient != d.swap
	if d.start == 0 {
		d.start = c.Time()
	}
	d.datagrams++
	v := googleVersionOf(data)
	if d.google != 0 || plainGoogle(v) {
		return d.googleData(c, data, client, v), nil
	}
	if len(data) > 0 && data[0]&0x80 != 0 && reserved(v) {
		// A reserved version forces version negotiation: nothing to
		// decrypt; the client's next Initial has a real version.
		if d.reserved == 0 {
			d.reserved = v
		}
		return d.status(c), nil
	}
	err := d.conn.Feed(data, client)
	hs := d.conn.Handshake()
	if !d.named && hs.ClientHello != nil {
		d.named = true
		c.Name(hs.ClientHello.ServerName)
	}
	return d.status(c), err
}

// status writes the record and stops once both hellos were seen, or after
// a bounded number of Initial packets or datagrams.
func (d *dissector) status(c *dissect.Context) dissect.Status {
	hs := d.conn.Handshake()
	if (hs.ClientHello != nil && hs.ServerHello != nil) || d.conn.initials[0] >= defaultConfig.MaxInitialPackets || d.datagrams >= maxDatagrams {
		d.emit(c)
		return dissect.Finished
	}
	return dissect.Continue
}

// googleData handles a datagram of Google QUIC, whose client hello is
// cleartext up to Q046: once it is seen there is nothing more to learn.
func (d *dissector) googleData(c *dissect.Context, data []byte, client bool, v uint32) dissect.Status {
	if d.google == 0 {
		d.google = v
	}
	if client {
		if _, sni, ok := ParseGoogleHello(data); ok {
			d.googleSNI = sni
			c.Name(sni)
			d.emit(c)
			return dissect.Finished
		}
	}
	if d.datagrams >= maxDatagrams/4 {
		d.emit(c)
		return dissect.Finished
	}
	return dissect.Continue
}

// Gap implements dissect.Dissector; UDP has none.
func (d *dissector) Gap(*dissect.Context, int, bool) {}

// End implements dissect.Dissector: the record is written at the end of
// the flow when the hellos did not both come, or at an interim record
// (nothing more comes after minutes).
func (d *dissector) End(c *dissect.Context, _ bool) {
	if !d.emitted {
		d.emit(c)
	}
}

func (d *dissector) emit(c *dissect.Context) {
	d.emitted = true
	hs := d.conn.Handshake()
	v := d.conn.Version()
	switch {
	case d.google != 0:
		v = d.google
	case v == 0:
		v = d.reserved
	}
	if v == 0 && hs.ClientHello == nil && hs.ServerHello == nil {
		return
	}
	t := hs.Record(true)
	t.QUICVersion = versionString(v)
	if d.googleSNI != "" {
		t.ServerName = d.googleSNI
	}
	c.EmitAt(record.DatasetQUIC, d.start).TLS = t
}

// versionString renders quic.version: "1", "2", else the hex number.
func versionString(v uint32) string {
	switch v {
	case 0:
		return ""
	case Version1:
		return "1"
	case Version2:
		return "2"
	}
	return fmt.Sprintf("0x%08x", v)
}

// probe recognises the first datagram of a QUIC connection: a long-header
// Initial packet of a version whose Initial protection is known (or a
// reserved version that forces version negotiation, RFC 9000 §15) with
// sane connection ids, or a Google QUIC client packet. Off the QUIC ports
// it must come from the client and be padded as RFC 9000 §14.1 requires.
func probe(data []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP {
		return dissect.No
	}
	if !h.FromClient && !h.OnPort {
		return dissect.No
	}
	if len(data) < 7 {
		return dissect.No
	}
	if !h.FromClient && googleServerHandshake(data) {
		return dissect.Yes // only on a QUIC port: see the check above
	}
	if v := googleVersionOf(data); isGoogle(v) {
		if _, _, ok := ParseGoogleHello(data); ok || h.OnPort {
			return dissect.Yes
		}
		if data[0]&0x80 == 0 {
			return dissect.No // an old public header: only its hello tells
		}
	}
	if data[0]&0xc0 != 0xc0 {
		return dissect.No
	}
	hd, err := ParseLongHeader(data)
	if err != nil || hd.Type != TypeInitial {
		return dissect.No
	}
	if _, known := suiteFor(hd.Version); !known && !reserved(hd.Version) && !isGoogle(hd.Version) {
		return dissect.No
	}
	if !h.OnPort && (len(data) < 1200 || len(hd.DCID) < 8) {
		return dissect.No
	}
	return dissect.Yes
}

// reserved reports a version of the form 0x?a?a?a?a, which clients send
// to force version negotiation (RFC 9000 §15).
func reserved(v uint32) bool { return v&0x0f0f0f0f == 0x0a0a0a0a }

// isGoogle reports a Google QUIC version: Q or T, '0' and two digits.
func isGoogle(v uint32) bool {
	a, b, c, e := byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	return (a == 'Q' || a == 'T') && b == '0' && c >= '0' && c <= '9' && e >= '0' && e <= '9'
}

// plainGoogle reports a Google QUIC version whose packets the Conn cannot
// decrypt (T05x use IETF Initial protection and are fed to it).
func plainGoogle(v uint32) bool {
	_, known := suiteFor(v)
	return isGoogle(v) && !known
}

// googleVersionOf returns the version of a client packet with a Google
// QUIC public header (a version flag and an 8-byte connection id, up to
// Q043) or of a long-header packet, else 0.
func googleVersionOf(b []byte) uint32 {
	switch {
	case len(b) >= 5 && b[0]&0x80 != 0:
		return binary.BigEndian.Uint32(b[1:5])
	case len(b) >= 13 && b[0]&0x81 == 0x01 && b[0]&0x08 != 0:
		return binary.BigEndian.Uint32(b[9:13])
	}
	return 0
}

// maxTags bounds the tag table of a Google QUIC handshake message.
const maxTags = 128

// googleMessage finds the Google QUIC handshake message with the given tag
// (CHLO, REJ) in the first bytes after off (the public header): it is the
// data of the packet's first STREAM frame, after the message hash and the
// frame header. It returns the message and its tag count when its tag
// table fits in b.
func googleMessage(b []byte, off int, tag string) (m []byte, n int, ok bool) {
	head := b[min(len(b), off):min(len(b), 128)]
	i := bytes.Index(head, []byte(tag))
	if i < 0 {
		return nil, 0, false
	}
	m = b[off+i:]
	if len(m) < 8 {
		return nil, 0, false
	}
	n = int(binary.LittleEndian.Uint16(m[4:]))
	if n == 0 || n > maxTags || 8+8*n > len(m) {
		return nil, 0, false
	}
	return m, n, true
}

// googleServerHandshake reports a Google QUIC server packet (a public
// header without version: flags 0x08 with an 8-byte connection id) that
// carries a cleartext REJ or SHLO message: the start of a connection
// whose client packets were not captured.
func googleServerHandshake(b []byte) bool {
	if len(b) < 9 || b[0]&0xc1 != 0 || b[0]&0x08 == 0 {
		return false
	}
	_, _, rej := googleMessage(b, 9, "REJ\x00")
	_, _, shlo := googleMessage(b, 9, "SHLO")
	return rej || shlo
}

// ParseGoogleHello finds the cleartext client hello (CHLO) of Google QUIC
// (Q024 to Q046; later versions encrypt it) in a client datagram and
// returns the version and the SNI tag's value. The hello's tag table is
// followed as far as the datagram holds it; ok is false when there is no
// hello with an SNI.
func ParseGoogleHello(b []byte) (version uint32, sni string, ok bool) {
	version = googleVersionOf(b)
	if !isGoogle(version) || version>>24 != 'Q' {
		return 0, "", false
	}
	m, n, ok := googleMessage(b, 13, "CHLO")
	if !ok {
		return 0, "", false
	}
	values := 8 + 8*n
	prev := uint32(0)
	for j := range n {
		e := m[8+8*j:]
		end := binary.LittleEndian.Uint32(e[4:])
		if end < prev || uint64(values)+uint64(end) > uint64(len(m)) {
			break
		}
		if string(e[:4]) == "SNI\x00" {
			v := m[values+int(prev) : values+int(end)]
			if len(v) == 0 || len(v) > 255 || bytes.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
				return 0, "", false
			}
			return version, string(v), true
		}
		prev = end
	}
	return 0, "", false
}

var _ dissect.Dissector = (*dissector)(nil)
