package tls

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/flowsift/flowsift/internal/dissect"
	"github.com/flowsift/flowsift/internal/record"
)

func init() {
	dissect.Register(dissect.Registration{
		Name:  "tls",
		Doc:   "TLS over TCP on any port: one record per connection with the handshake (versions, cipher, SNI, ALPN, JA3/JA4, JA3S/JA4S) and the server's certificate chain.",
		TCP:   true,
		Ports: []uint16{443, 465, 563, 636, 853, 989, 990, 992, 993, 994, 995, 3269, 5061, 5223, 8443},
		Probe: probe,
		New:   func() dissect.Dissector { return newDissector() },
	})
}

// Bounds on how long a connection is inspected (deliveries are the
// in-order stretches of either direction the engine hands over, about one
// per TCP segment).
const (
	// maxDeliveries stops a connection whose handshake never completes
	// in view (one direction missing from the capture, a stalled peer).
	maxDeliveries = 64
	// maxAfterHello stops waiting for the handshake to complete this many
	// deliveries after its cleartext part was all seen.
	maxAfterHello = 16
)

var defaultConfig = DefaultConfig()

// dissector turns one TCP connection's handshake into one record.
type dissector struct {
	s *Session

	decided bool    // which side is the client is decided
	swap    bool    // the flow's responder sent the ClientHello
	dead    [2]bool // direction stopped: parse error or gap (0 client)
	seen    [2]bool // direction delivered something
	hello   [2]bool // and its stream started with a hello

	start      int64 // time the client started its hello (or the first data)
	clientSeen bool
	deliveries int
	afterHello int
	named      bool // SNI offered to the application matcher
	certNamed  bool // certificate name offered
	resumed    bool // server's ChangeCipherSpec came first (TLS ≤ 1.2)
	emitted    bool
}

func newDissector() *dissector {
	s, _ := NewSession(defaultConfig) // the default config is valid
	return &dissector{s: s}
}

// Data implements dissect.Dissector.
func (d *dissector) Data(c *dissect.Context, data []byte, fromClient bool) (dissect.Status, error) {
	if d.emitted {
		return dissect.Finished, nil
	}
	if !d.decided {
		d.decide(data, fromClient)
	}
	client := fromClient != d.swap
	dir, p := 1, d.s.Server
	if client {
		dir, p = 0, d.s.Client
	}
	if d.start == 0 || (client && !d.clientSeen) {
		d.start = c.Time()
	}
	d.clientSeen = d.clientSeen || client
	d.deliveries++
	if !d.seen[dir] {
		d.seen[dir] = true
		d.hello[dir] = len(data) >= 6 && data[0] == recordHandshake && (data[5] == typeClientHello || data[5] == typeServerHello)
		if d.seen[1-dir] && !d.hello[0] && !d.hello[1] {
			// The capture starts after both hellos: nothing to learn.
			d.emitted = true
			return dissect.Finished, nil
		}
	}
	var err error
	if !d.dead[dir] {
		if err = p.Feed(data); err != nil {
			d.dead[dir] = true
		}
	}
	d.observe(c)
	if d.ready() {
		d.emit(c)
		return dissect.Finished, err
	}
	return dissect.Continue, err
}

// decide finds the client from the first bytes either side sent: the
// side whose stream starts with a ClientHello, or the other one of a
// stream that starts with a ServerHello. A capture that begins inside the
// three-way handshake can name the server as the flow's initiator.
func (d *dissector) decide(data []byte, fromClient bool) {
	if len(data) < 6 {
		return
	}
	d.decided = true
	if data[0] == recordHandshake {
		switch data[5] {
		case typeClientHello:
			d.swap = !fromClient
		case typeServerHello:
			d.swap = fromClient
		}
	}
}

// observe offers host names once they are known and infers resumption.
func (d *dissector) observe(c *dissect.Context) {
	hs := &d.s.Handshake
	if !d.named && hs.ClientHello != nil {
		d.named = true
		c.Name(hs.ClientHello.ServerName)
	}
	if !d.certNamed && len(hs.Certificates) > 0 {
		d.certNamed = true
		c.Name(certName(&hs.Certificates[0]))
	}
	// In an abbreviated (resumed) TLS ≤ 1.2 handshake the server sends
	// ChangeCipherSpec right after its ServerHello, before the client;
	// in a full one the client goes first. This is what Zeek's session id
	// and session ticket rules detect.
	if sh := hs.ServerHello; sh != nil && !d.resumed && sh.Version() <= 0x0303 && sh.Version() >= 0x0300 &&
		hs.ChangeCipherSpec[1] && !hs.ChangeCipherSpec[0] && len(hs.Certificates) == 0 {
		d.resumed = true
	}
}

// ready reports whether the record can be written: the handshake
// completed (so established is known), or its cleartext part is all seen
// and completion did not follow soon, or nothing more can be learned.
func (d *dissector) ready() bool {
	hs := &d.s.Handshake
	if hs.ClientHello == nil && hs.ServerHello == nil {
		return d.deliveries >= maxDeliveries || (d.dead[0] && d.dead[1])
	}
	if hs.Completed() || (d.dead[0] && d.dead[1]) || d.deliveries >= maxDeliveries {
		return true
	}
	if sh := hs.ServerHello; sh != nil && hs.ClientHello != nil &&
		(sh.Version() >= 0x0304 || len(hs.Certificates) > 0 || d.resumed) {
		d.afterHello++
		return d.afterHello > maxAfterHello
	}
	return false
}

// Gap implements dissect.Dissector: a TLS record stream cannot be
// resynchronised after a hole, so that direction is no longer parsed.
func (d *dissector) Gap(_ *dissect.Context, _ int, fromClient bool) {
	if fromClient != d.swap {
		d.dead[0] = true
	} else {
		d.dead[1] = true
	}
}

// End implements dissect.Dissector: the record is written at the end of
// the connection if the handshake did not complete before, or at an
// interim record of a long one (5 minutes without completion: nothing
// more is coming).
func (d *dissector) End(c *dissect.Context, _ bool) {
	if !d.emitted {
		d.emit(c)
	}
}

func (d *dissector) emit(c *dissect.Context) {
	hs := &d.s.Handshake
	d.emitted = true
	if hs.ClientHello == nil && hs.ServerHello == nil {
		return // a record header and nothing more
	}
	t := hs.Record(false)
	t.Resumed = t.Resumed || d.resumed
	c.EmitAt(record.DatasetTLS, d.start).TLS = t
}

// Record returns the tls.* fields of a handshake: the chosen version,
// cipher and ALPN, the ClientHello's SNI, offered versions and ALPN,
// the JA3/JA4 and JA3S/JA4S fingerprints, and the leaf certificate and
// chain. quic selects the JA4 and JA4S prefix; for QUIC, established is
// left unset (the handshake finishes in encrypted packets). Resumed is set
// only for a TLS 1.3 pre-shared key: the TCP dissector adds the TLS ≤ 1.2
// inference, which needs the order of the two ChangeCipherSpecs.
func (h *Handshake) Record(quic bool) *record.TLS {
	t := &record.TLS{}
	if !quic {
		t.Established, t.HasEstablished = h.Completed(), true
	}
	if ch := h.ClientHello; ch != nil {
		t.ServerName = ch.ServerName
		_, t.JA3 = JA3(ch)
		t.JA4 = JA4(ch, quic)
		t.ClientVersions = offeredVersions(ch.SupportedVersions)
		t.ClientALPN = slices.Clone(ch.ALPN)
	}
	if sh := h.ServerHello; sh != nil {
		t.Version, t.VersionProtocol = versionFields(sh.Version())
		t.Cipher = CipherSuiteName(sh.CipherSuite)
		t.NextProtocol = sh.ALPN
		_, t.JA3S = JA3S(sh)
		t.JA4S = JA4S(sh, quic)
		t.Resumed = slices.Contains(sh.Extensions, extPreSharedKey)
	}
	if len(h.Certificates) > 0 {
		leaf := &h.Certificates[0]
		t.Subject, t.Issuer, t.SANs, t.Serial = leaf.Subject, leaf.Issuer, leaf.SANs, leaf.Serial
		t.NotBefore, t.NotAfter = leaf.NotBefore, leaf.NotAfter
		t.SHA1, t.SHA256, t.SelfSigned = leaf.SHA1, leaf.SHA256, leaf.SelfSigned
		t.ChainLength = len(h.Certificates)
		t.ChainIssuers = make([]string, len(h.Certificates))
		for i := range h.Certificates {
			t.ChainIssuers[i] = h.Certificates[i].Issuer
		}
	}
	return t
}

// extPreSharedKey in a ServerHello means TLS 1.3 resumed a session.
const extPreSharedKey uint16 = 0x0029

// versionFields renders a protocol version for tls.version and
// tls.version_protocol: "1.2"/"tls", "3.0"/"ssl". TLS 1.3 drafts (and
// Facebook's Fizz code point) are 1.3.
func versionFields(v uint16) (version, protocol string) {
	switch v = canonicalVersion(v); {
	case v == 0:
		return "", ""
	case v == 0x0200, v == 0x0300:
		return fmt.Sprintf("%d.0", v>>8), "ssl"
	case v >= 0x0301 && v <= 0x0304:
		return fmt.Sprintf("1.%d", v-0x0301), "tls"
	case v == 0xfeff:
		return "1.0", "dtls"
	case v == 0xfefd:
		return "1.2", "dtls"
	case v == 0xfefc:
		return "1.3", "dtls"
	}
	return fmt.Sprintf("0x%04x", v), "tls"
}

func canonicalVersion(v uint16) uint16 {
	if v>>8 == 0x7f || v == 0xfb1a {
		return 0x0304
	}
	return v
}

// offeredVersions renders a supported_versions list highest first,
// without GREASE and duplicates (drafts count as 1.3).
func offeredVersions(vs []uint16) []string {
	var codes []uint16
	for _, v := range vs {
		if !IsGREASE(v) {
			codes = append(codes, canonicalVersion(v))
		}
	}
	if len(codes) == 0 {
		return nil
	}
	slices.SortFunc(codes, func(a, b uint16) int { return versionRank(b) - versionRank(a) })
	codes = slices.Compact(codes)
	out := make([]string, len(codes))
	for i, v := range codes {
		out[i], _ = versionFields(v)
	}
	return out
}

// certName is the name of a certificate to offer the application
// matcher: its first DNS name (a wildcard's domain), else its CN.
func certName(c *Certificate) string {
	for _, s := range c.SANs {
		if strings.ContainsAny(s, "@:/") {
			continue // e-mail, IPv6 address, URI
		}
		if _, err := netip.ParseAddr(s); err == nil {
			continue
		}
		return strings.TrimPrefix(s, "*.")
	}
	return strings.TrimPrefix(commonName(c.Subject), "*.")
}

// commonName extracts the CN of an RFC 2253 distinguished name.
func commonName(dn string) string {
	for i := 0; i < len(dn); {
		if strings.HasPrefix(dn[i:], "CN=") {
			var b strings.Builder
			for j := i + 3; j < len(dn); j++ {
				switch dn[j] {
				case '\\':
					if j+1 < len(dn) {
						j++
						b.WriteByte(dn[j])
					}
					continue
				case ',', '+':
					return b.String()
				}
				b.WriteByte(dn[j])
			}
			return b.String()
		}
		// Skip to the next unescaped separator.
		for i < len(dn) && dn[i] != ',' && dn[i] != '+' {
			if dn[i] == '\\' {
				i++
			}
			i++
		}
		i++
	}
	return ""
}

// probe recognises TLS from the first bytes either side sent. The start
// of a connection is a handshake record (SSL 3.0 to TLS 1.3 record
// version, a plausible length) whose first message is a ClientHello or
// ServerHello with a plausible length and version. A capture that starts
// later shows application data, alert or ChangeCipherSpec records: those
// are TLS when the first record ends inside the bytes seen and is followed
// by nothing or by another record header (on a TLS port a long first
// record is enough). Fewer bytes than needed, if they agree so far, are a
// Maybe.
func probe(data []byte, h dissect.Hint) dissect.Verdict {
	if !h.TCP {
		return dissect.No
	}
	n := len(data)
	switch {
	case n == 0:
		return dissect.Maybe
	case data[0] < recordChangeCipherSpec || data[0] > recordApplicationData,
		n >= 2 && data[1] != 3,
		n >= 3 && data[2] > 4:
		return dissect.No
	}
	if n < 5 {
		return dissect.Maybe
	}
	l := int(data[3])<<8 | int(data[4])
	if data[0] != recordHandshake {
		return probeLater(data, l, h.OnPort)
	}
	if l < 4 || l > maxRecordLen {
		return dissect.No
	}
	if n < 6 {
		return dissect.Maybe
	}
	if !Probe(data) {
		return dissect.No
	}
	if n < 11 {
		return dissect.Maybe
	}
	// Both hellos start with a 2-byte version, 32 random bytes and a
	// session id length: at least 38 bytes of body.
	if l := int(data[6])<<16 | int(data[7])<<8 | int(data[8]); l < 38 || l > defaultConfig.MaxMessageSize || data[9] != 3 || data[10] > 4 {
		return dissect.No
	}
	return dissect.Yes
}

// probeLater judges a stream that starts with a record other than a
// handshake one (l is its length).
func probeLater(data []byte, l int, onPort bool) dissect.Verdict {
	switch data[0] {
	case recordChangeCipherSpec:
		if l != 1 || (len(data) > 5 && data[5] != 1) {
			return dissect.No
		}
	case recordAlert:
		if l < 2 || l > maxRecordLen {
			return dissect.No
		}
	default:
		if l < 1 || l > maxRecordLen {
			return dissect.No
		}
	}
	rest := data[min(len(data), 5+l):]
	if 5+l > len(data) {
		if onPort && len(data) >= 512 {
			return dissect.Yes
		}
		return dissect.Maybe
	}
	switch {
	case len(rest) == 0:
		return dissect.Yes
	case rest[0] < recordChangeCipherSpec || rest[0] > recordHeartbeat,
		len(rest) >= 2 && rest[1] != 3,
		len(rest) >= 3 && rest[2] > 4:
		return dissect.No
	}
	return dissect.Yes
}

var _ dissect.Dissector = (*dissector)(nil)
