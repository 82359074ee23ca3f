package dns

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Errors a parse can end with. A message that fails part way still fills
// what was decoded before the failure (header, question, first answers):
// Zeek logs such messages too.
var (
	// ErrTooShort means the message is shorter than the 12-byte header.
	ErrTooShort = errors.New("dns: message shorter than its header")
	// ErrMalformed means a name, record or count did not fit the message;
	// it wraps gopacket's error.
	ErrMalformed = errors.New("dns: malformed message")
	// ErrTooLarge means a TCP length prefix or a message exceeds the limits.
	ErrTooLarge = errors.New("dns: message too large")
)

// Flags are the header bits of a message.
type Flags struct {
	QR, AA, TC, RD, RA, AD, CD bool
	Z                          uint8 // the three bits after RA (Z, AD, CD) as Zeek logs them
}

// Answer is one answer-section record, rendered as Zeek renders it in
// dns.log's answers field.
type Answer struct {
	Type uint16
	TTL  uint32
	Data string
}

// Message is one decoded DNS message. Strings are copies: a Message stays
// valid after the payload it came from is reused. Parse resets it, reusing
// its slices.
type Message struct {
	ID          uint16
	Flags       Flags
	Opcode      uint8
	RCode       uint16
	HasQuestion bool   // QDCOUNT > 0 and the first question decoded
	QName       string // as on the wire (Zeek's original_query); Zeek's query is its lowercase
	QType       uint16
	QClass      uint16
	Answers     []Answer
	IPs         []netip.Addr // A and AAAA answers, in order
	Clipped     bool         // more answers than Config.MaxAnswers: the rest were not decoded
}

// RCodeName returns the response code's Zeek name.
func (m *Message) RCodeName() string { return RCodeName(m.RCode) }

// Config bounds the work done per message.
type Config struct {
	// MaxAnswers is how many answer records are decoded per message.
	MaxAnswers int
}

// DefaultConfig returns the limits used by the sensor.
func DefaultConfig() Config { return Config{MaxAnswers: 64} }

// Validate checks the limits.
func (c Config) Validate() error {
	if c.MaxAnswers < 1 || c.MaxAnswers > 65535 {
		return fmt.Errorf("dns: max answers %d out of range [1, 65535]", c.MaxAnswers)
	}
	return nil
}

// Stats counts messages by outcome.
type Stats struct {
	Messages  uint64 // fully decoded
	Malformed uint64 // ErrTooShort or ErrMalformed (possibly partially decoded)
	TooLarge  uint64 // TCP length prefixes refused
	Clipped   uint64 // answers beyond MaxAnswers skipped
}

// Parser decodes DNS messages with one reused gopacket layers.DNS. It is
// not safe for concurrent use: use one per worker.
type Parser struct {
	cfg   Config
	layer layers.DNS
	buf   []byte
	stats Stats
}

// New returns a parser.
func New(cfg Config) (*Parser, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Parser{cfg: cfg, buf: make([]byte, 0, 512)}, nil
}

// Stats returns the counters so far.
func (p *Parser) Stats() Stats { return p.stats }

// Parse decodes one message (a UDP payload, or a TCP message without its
// length prefix) into m. On error m holds what was decoded before it.
//
// Guards on top of gopacket's own (a compression pointer chain is cut at
// 255 levels and a name at 255 bytes, so a loop costs bounded work): only
// the question and the first MaxAnswers answers are decoded: the header
// counts are clamped in a private copy of the message, so authority and
// additional records, which nothing here reports, cost nothing, and a
// message claiming thousands of records cannot make one parse expensive.
func (p *Parser) Parse(data []byte, m *Message) error {
	m.reset()
	if len(data) < 12 {
		p.stats.Malformed++
		return ErrTooShort
	}
	m.ID = binary.BigEndian.Uint16(data)
	b2, b3 := data[2], data[3]
	m.Flags = Flags{QR: b2&0x80 != 0, AA: b2&0x04 != 0, TC: b2&0x02 != 0, RD: b2&0x01 != 0,
		RA: b3&0x80 != 0, AD: b3&0x20 != 0, CD: b3&0x10 != 0, Z: b3 >> 4 & 7}
	m.Opcode = b2 >> 3 & 0x0f
	m.RCode = uint16(b3 & 0x0f)

	qd := binary.BigEndian.Uint16(data[4:])
	an := binary.BigEndian.Uint16(data[6:])
	p.buf = append(p.buf[:0], data...)
	if qd > 1 {
		// Only the first question is reported (as Zeek does); decoding
		// the others would only cost time.
		binary.BigEndian.PutUint16(p.buf[4:], 1)
	}
	if int(an) > p.cfg.MaxAnswers {
		an = uint16(p.cfg.MaxAnswers)
		m.Clipped = true
		p.stats.Clipped++
	}
	binary.BigEndian.PutUint16(p.buf[6:], an)
	binary.BigEndian.PutUint32(p.buf[8:], 0) // NSCOUNT, ARCOUNT

	err := p.layer.DecodeFromBytes(p.buf, gopacket.NilDecodeFeedback)
	if len(p.layer.Questions) > 0 {
		q := &p.layer.Questions[0]
		m.HasQuestion = true
		m.QName = renderName(q.Name)
		m.QType = uint16(q.Type)
		m.QClass = uint16(q.Class)
	}
	if !m.HasQuestion && len(p.layer.Answers) > 0 {
		// A question-less response (mDNS announcements): Zeek logs the
		// first answer's owner name as the query.
		m.QName = renderName(p.layer.Answers[0].Name)
	}
	for i := range p.layer.Answers {
		rr := &p.layer.Answers[i]
		data, ok := render(rr)
		if !ok {
			continue
		}
		if len(data) > MaxAnswerText {
			// Escaped bytes and empty TXT strings render several times
			// longer than they came: a record keeps the start.
			data = data[:MaxAnswerText] + "…"
		}
		m.Answers = append(m.Answers, Answer{Type: uint16(rr.Type), TTL: rr.TTL, Data: data})
		if (rr.Type == layers.DNSTypeA || rr.Type == layers.DNSTypeAAAA) && len(rr.IP) > 0 {
			if a, ok := netip.AddrFromSlice(rr.IP); ok {
				m.IPs = append(m.IPs, a.Unmap())
			}
		}
	}
	if err != nil {
		p.stats.Malformed++
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	p.stats.Messages++
	return nil
}

func (m *Message) reset() {
	*m = Message{Answers: m.Answers[:0], IPs: m.IPs[:0]}
}

// render returns an answer's data as Zeek's dns.log shows it; false for
// the types Zeek leaves out of answers (OPT, unknown types, WKS, …).
func render(rr *layers.DNSResourceRecord) (string, bool) {
	switch rr.Type {
	case layers.DNSTypeA, layers.DNSTypeAAAA:
		a, ok := netip.AddrFromSlice(rr.IP)
		if !ok {
			return "", false
		}
		return a.Unmap().String(), true
	case layers.DNSTypeCNAME:
		return renderName(rr.CNAME), true
	case layers.DNSTypeNS:
		return renderName(rr.NS), true
	case layers.DNSTypePTR:
		return renderName(rr.PTR), true
	case layers.DNSTypeMX:
		return renderName(rr.MX.Name), true
	case layers.DNSTypeSOA:
		return renderName(rr.SOA.MName), true
	case layers.DNSTypeSRV:
		return renderName(rr.SRV.Name), true
	case layers.DNSTypeTXT, 99: // SPF has TXT's wire format
		return renderTXT(uint16(rr.Type), rr.Data), true
	case layers.DNSTypeNAPTR:
		n := &rr.NAPTR
		return "NAPTR " + strconv.Itoa(int(n.Order)) + " " + strconv.Itoa(int(n.Preference)) + " " +
			escape(n.Flags) + " " + escape(n.Service) + " " + renderName(n.Replacement), true
	case layers.DNSTypeRRSIG:
		return "RRSIG " + strconv.Itoa(int(rr.RRSIG.TypeCovered)) + " " + renderName(rr.RRSIG.SignerName), true
	case layers.DNSTypeDNSKEY:
		return "DNSKEY " + strconv.Itoa(int(rr.DNSKEY.Algorithm)), true
	case 47: // NSEC: next owner name (never compressed), then type bitmaps
		next, _ := wireName(rr.Data)
		return "NSEC " + renderName(rr.Name) + " " + next, true
	case 50:
		return "NSEC3", true
	case 51:
		return "NSEC3PARAM", true
	case 43: // DS: key tag, algorithm, digest type, digest
		if len(rr.Data) < 4 {
			return "", false
		}
		return "DS " + strconv.Itoa(int(rr.Data[2])) + " " + strconv.Itoa(int(rr.Data[3])) + " " +
			hex.EncodeToString(rr.Data[4:]), true
	case 44: // SSHFP: algorithm, fingerprint type, fingerprint
		if len(rr.Data) < 2 {
			return "", false
		}
		return "SSHFP: " + hex.EncodeToString(rr.Data[2:]), true
	case 65534:
		return "BIND9 signing signal", true
	}
	return "", false
}

// renderTXT writes each character-string as "TXT <len> <string>", space
// separated, as Zeek does (SPF records likewise with "SPF").
// MaxAnswerText bounds the text of one answer: renderings are ASCII, so
// a cut there splits no character.
const MaxAnswerText = 4096

func renderTXT(t uint16, data []byte) string {
	prefix := "TXT "
	if t == 99 {
		prefix = "SPF "
	}
	var sb strings.Builder
	for len(data) > 0 {
		n := int(data[0])
		if 1+n > len(data) {
			n = len(data) - 1
		}
		if sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(prefix)
		sb.WriteString(strconv.Itoa(n))
		sb.WriteByte(' ')
		sb.WriteString(escape(data[1 : 1+n]))
		data = data[1+n:]
	}
	return sb.String()
}

// wireName decodes an uncompressed wire name (as in NSEC RDATA).
func wireName(b []byte) (string, int) {
	var sb strings.Builder
	i := 0
	for i < len(b) && b[i] != 0 && b[i] < 64 {
		n := int(b[i])
		if i+1+n > len(b) {
			break
		}
		if sb.Len() > 0 {
			sb.WriteByte('.')
		}
		sb.WriteString(escape(b[i+1 : i+1+n]))
		i += 1 + n
	}
	return sb.String(), i + 1
}

// renderName returns a decoded name as a string, escaping bytes that are
// not printable ASCII as \xNN like Zeek's log writers do, lowercased as
// Zeek's DNS analyzer lowercases names.
func renderName(b []byte) string { return strings.ToLower(escape(b)) }

func escape(b []byte) string {
	clean := true
	for _, c := range b {
		if c < 0x20 || c > 0x7e || c == '\\' {
			clean = false
			break
		}
	}
	if clean {
		return string(b)
	}
	var sb strings.Builder
	for _, c := range b {
		if c < 0x20 || c > 0x7e || c == '\\' {
			fmt.Fprintf(&sb, "\\x%02x", c)
			continue
		}
		sb.WriteByte(c)
	}
	return sb.String()
}
