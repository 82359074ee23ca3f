package dns

import (
	"encoding/binary"
	"strings"
	"sync"
	"time"

	"github.com/flowsift/flowsift/internal/dissect"
	"github.com/flowsift/flowsift/internal/record"
)

func init() {
	dissect.Register(dissect.Registration{
		Name:  "dns",
		Doc:   "DNS over UDP and TCP (also mDNS, LLMNR and NetBIOS name service): one record per query and its response.",
		TCP:   true,
		UDP:   true,
		Ports: []uint16{53, 5353, 5355, 137},
		Probe: Probe,
		New:   func() dissect.Dissector { return newDissector() },
	})
}

// maxPending bounds the queries of one flow waiting for their response;
// past it the oldest is written as unanswered.
const maxPending = 64

type pending struct {
	m  *Message
	ts int64
}

// dissector pairs a flow's queries and responses into transaction records.
type dissector struct {
	streams [2]*Stream
	msg     Message
	pending []pending
	variant bool
}

var defaultParser = DefaultConfig()

// parsers are shared by every flow: a parser keeps nothing of a message
// once Parse returns, and gopacket's DNS layer in it keeps the capacity
// of its slices from one message to the next.
var parsers = sync.Pool{New: func() any {
	p, _ := New(defaultParser) // the default config is valid
	return p
}}

func newDissector() *dissector { return &dissector{} }

// Data implements dissect.Dissector.
func (d *dissector) Data(c *dissect.Context, data []byte, fromClient bool) (dissect.Status, error) {
	p := parsers.Get().(*Parser)
	defer parsers.Put(p)
	if !d.variant {
		d.variant = true
		src, dst := c.Source().Port(), c.Destination().Port()
		switch {
		case src == 5353 || dst == 5353:
			c.SetProtocol("mdns")
		case src == 5355 || dst == 5355:
			c.SetProtocol("llmnr")
		case src == 137 || dst == 137:
			c.SetProtocol("netbios")
		}
	}
	if !c.TCP() {
		err := p.Parse(data, &d.msg)
		if err != nil && !d.msg.HasQuestion && len(d.msg.Answers) == 0 && err == ErrTooShort {
			return dissect.Continue, err
		}
		d.message(c, &d.msg)
		return dissect.Continue, err
	}
	i := 1
	if fromClient {
		i = 0
	}
	if d.streams[i] == nil {
		d.streams[i] = NewStream(nil)
	}
	d.streams[i].p = p
	var first error
	err := d.streams[i].Write(data, func(m *Message, err error) {
		if err != nil && first == nil {
			first = err
		}
		d.message(c, m)
	})
	d.streams[i].p = nil // back in the pool
	if err != nil {
		return dissect.Done, err
	}
	return dissect.Continue, first
}

// message pairs one message with the flow's open queries.
func (d *dissector) message(c *dissect.Context, m *Message) {
	if !m.Flags.QR {
		if !m.HasQuestion {
			return
		}
		if len(d.pending) >= maxPending {
			d.emit(c, d.pending[0].m, nil, d.pending[0].ts, 0)
			d.pending = d.pending[1:]
		}
		q := *m
		q.Answers, q.IPs = nil, nil
		d.pending = append(d.pending, pending{m: &q, ts: c.Time()})
		c.Name(q.QName)
		if c.Protocol() == "dns" && isDNSCryptCert(q.QName) {
			// DNSCrypt clients fetch the resolver's certificate with a TXT
			// query for 2.dnscrypt-cert.<provider> before they encrypt.
			c.SetProtocol("dnscrypt")
		}
		return
	}
	for i, p := range d.pending {
		q := p.m
		if q.ID == m.ID && (!m.HasQuestion || (q.QType == m.QType && strings.EqualFold(q.QName, m.QName))) {
			d.emit(c, q, m, p.ts, c.Time()-p.ts)
			d.pending = append(d.pending[:i], d.pending[i+1:]...)
			return
		}
	}
	if m.HasQuestion {
		c.Name(m.QName)
	}
	d.emit(c, nil, m, c.Time(), 0)
}

// Gap implements dissect.Dissector: a DNS-over-TCP stream loses its
// framing at a hole, so that direction stops.
func (d *dissector) Gap(_ *dissect.Context, _ int, fromClient bool) {
	i := 1
	if fromClient {
		i = 0
	}
	d.streams[i] = nil
}

// End implements dissect.Dissector: queries never answered are written.
func (d *dissector) End(c *dissect.Context, final bool) {
	if !final {
		return
	}
	for _, p := range d.pending {
		d.emit(c, p.m, nil, p.ts, 0)
	}
	d.pending = d.pending[:0]
}

func (d *dissector) emit(c *dissect.Context, q, resp *Message, ts int64, rtt int64) {
	ds := record.DatasetDNS
	r := c.EmitAt(ds, ts)
	m := q
	if m == nil {
		m = resp
	}
	g := &record.DNS{ID: m.ID, OpCode: OpcodeName(m.Opcode)}
	if m.HasQuestion {
		g.QName, g.QType, g.QClass = m.QName, TypeName(m.QType), ecsClass(m.QClass)
	} else if resp != nil && resp.HasQuestion {
		g.QName, g.QType, g.QClass = resp.QName, TypeName(resp.QType), ecsClass(resp.QClass)
	}
	flags := m
	if resp != nil {
		flags = resp
		g.RCode = resp.RCodeName()
		g.RTT = time.Duration(rtt)
		if n := len(resp.Answers); n > 0 {
			g.AnswerTypes = make([]string, n)
			g.AnswerTTLs = make([]int32, n)
			g.AnswerData = make([]string, n)
			for i, a := range resp.Answers {
				g.AnswerTypes[i] = TypeName(a.Type)
				g.AnswerTTLs[i] = int32(min(a.TTL, 1<<31-1)) //nolint:gosec // clamped
				g.AnswerData[i] = a.Data
			}
		}
		if n := len(resp.IPs); n > 0 {
			g.ResolvedIPs = make([]string, n)
			for i, ip := range resp.IPs {
				g.ResolvedIPs[i] = ip.String()
			}
		}
	}
	g.HeaderFlags = headerFlags(flags.Flags)
	r.DNS = g
}

var flagSets = func() (t [64][]string) {
	names := [...]string{"AA", "TC", "RD", "RA", "AD", "CD"}
	for bits := range t {
		for i, n := range names {
			if bits&(1<<i) != 0 {
				t[bits] = append(t[bits], n)
			}
		}
	}
	return t
}()

func headerFlags(f Flags) []string {
	bits := 0
	for i, b := range [...]bool{f.AA, f.TC, f.RD, f.RA, f.AD, f.CD} {
		if b {
			bits |= 1 << i
		}
	}
	return flagSets[bits]
}

// ecsClass writes classes as ECS does (IN, CH, HS) rather than Zeek's
// C_INTERNET.
func ecsClass(c uint16) string {
	switch c & 0x7fff { // mDNS uses the top bit for unicast-response / cache-flush
	case 1:
		return "IN"
	case 3:
		return "CH"
	case 4:
		return "HS"
	case 254:
		return "NONE"
	case 255:
		return "ANY"
	}
	return ClassName(c)
}

// Probe recognises a DNS message: a UDP datagram, or the start of a TCP
// stream (2-byte length prefix). Off the DNS ports the header and the
// first question must look like a plain query or answer for one
// host name, so that random binary payloads are not taken for DNS.
func Probe(data []byte, h dissect.Hint) dissect.Verdict {
	if h.TCP {
		if len(data) < 2 {
			return dissect.Maybe
		}
		n := int(binary.BigEndian.Uint16(data))
		if n < 12 {
			return dissect.No
		}
		if len(data) < 2+min(n, 64) {
			return dissect.Maybe
		}
		return probe(data[2:min(len(data), 2+n)], h.OnPort, true)
	}
	return probe(data, h.OnPort, false)
}

func probe(b []byte, onPort, tcp bool) dissect.Verdict {
	if len(b) < 12 {
		return dissect.No
	}
	qd := binary.BigEndian.Uint16(b[4:])
	an := binary.BigEndian.Uint16(b[6:])
	ns := binary.BigEndian.Uint16(b[8:])
	ar := binary.BigEndian.Uint16(b[10:])
	qr := b[2]&0x80 != 0
	opcode := b[2] >> 3 & 0x0f
	if onPort && !tcp {
		// On a DNS port a datagram with a header is taken as DNS, as
		// the resolvers that answer it do; a damaged message is parsed
		// as far as it goes and counted.
		return dissect.Yes
	}
	if opcode == 3 || opcode > 6 || qd > 16 || an > 512 || ns > 512 || ar > 512 {
		return dissect.No
	}
	if qd == 0 {
		// mDNS announcements carry answers without a question.
		if onPort && qr && an > 0 {
			return dissect.Yes
		}
		return dissect.No
	}
	// The first question: labels, then type and class.
	i, strict := 12, true
	for {
		if i >= len(b) {
			return dissect.No
		}
		l := int(b[i])
		if l == 0 {
			i++
			break
		}
		if l >= 0xc0 || l > 63 || i+1+l > len(b) {
			return dissect.No
		}
		for _, c := range b[i+1 : i+1+l] {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				strict = false
			}
		}
		i += 1 + l
		if i-12 > 255 {
			return dissect.No
		}
	}
	if i+4 > len(b) {
		return dissect.No
	}
	qtype := binary.BigEndian.Uint16(b[i:])
	class := binary.BigEndian.Uint16(b[i+2:]) & 0x7fff
	if class != 1 && class != 3 && class != 4 && class != 254 && class != 255 {
		return dissect.No
	}
	if onPort {
		return dissect.Yes
	}
	if !strict || qd != 1 || qtype == 0 || tcp || (!qr && (an > 0 || ns > 0)) || i == 13 {
		return dissect.No
	}
	return dissect.Yes
}

func isDNSCryptCert(name string) bool {
	i := strings.Index(strings.ToLower(name), "dnscrypt-cert.")
	return i == 2 && (name[0] == '1' || name[0] == '2') && name[1] == '.'
}

var _ dissect.Dissector = (*dissector)(nil)
