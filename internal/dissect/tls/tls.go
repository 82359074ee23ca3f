package tls

import (
	"errors"
	"fmt"
	"slices"
	"sync"
)

// Sentinel errors. Every error the package returns wraps one of them, so a
// caller can count errors by kind with errors.Is.
var (
	// ErrTruncated means a structure ended before its declared length.
	ErrTruncated = errors.New("tls: truncated")
	// ErrMalformed means the bytes are not TLS or break the TLS grammar.
	ErrMalformed = errors.New("tls: malformed")
	// ErrTooLarge means a handshake message or record exceeds the configured bound.
	ErrTooLarge = errors.New("tls: too large")
)

// Record content types (RFC 8446 §5.1).
const (
	recordChangeCipherSpec = 20
	recordAlert            = 21
	recordHandshake        = 22
	recordApplicationData  = 23
	recordHeartbeat        = 24
)

// Handshake message types (RFC 8446 §4).
const (
	typeClientHello = 1
	typeServerHello = 2
	typeCertificate = 11
)

// maxRecordLen is the largest TLSCiphertext length RFC 5246 §6.2.3 allows
// (2^14 + 2048); anything longer is not TLS.
const maxRecordLen = 1<<14 + 2048

// Handshake is what the parsers of one connection learned. Both directions'
// parsers of a Session write into the same Handshake. The pointers stay nil
// until the message has been seen; only the first ClientHello and
// ServerHello are kept (a HelloRetryRequest is flagged on ServerHello).
type Handshake struct {
	ClientHello  *ClientHello
	ServerHello  *ServerHello
	Certificates []Certificate // server chain, leaf first (TLS ≤ 1.2 only: 1.3 encrypts it)

	// ChangeCipherSpec and application data seen per direction
	// (index 0 client to server, 1 server to client).
	ChangeCipherSpec [2]bool
	ApplicationData  [2]bool
	Alert            bool // a plaintext alert record was seen
}

// Completed reports whether the handshake finished: a ChangeCipherSpec
// (followed by the encrypted Finished) was seen in both directions, or
// application data flowed both ways. TLS 1.3 servers send the middlebox
// compatibility ChangeCipherSpec or encrypted records, so both rules cover it.
func (h *Handshake) Completed() bool {
	return (h.ChangeCipherSpec[0] && h.ChangeCipherSpec[1]) ||
		(h.ApplicationData[0] && h.ApplicationData[1])
}

// Config bounds the parser's memory.
type Config struct {
	// MaxMessageSize is the largest handshake message buffered, in bytes.
	// Larger messages yield ErrTooLarge and stop the parser.
	MaxMessageSize int
	// MaxCertificates caps the certificates kept from one chain.
	MaxCertificates int
}

// DefaultConfig returns working bounds: 64 KiB per handshake message (a
// long certificate chain fits) and 10 certificates.
func DefaultConfig() Config {
	return Config{MaxMessageSize: 64 << 10, MaxCertificates: 10}
}

// Validate reports an invalid configuration.
func (c Config) Validate() error {
	if c.MaxMessageSize < 1024 || c.MaxMessageSize > 1<<24 {
		return fmt.Errorf("tls: max_message_size %d: must be between 1024 and 16777216", c.MaxMessageSize)
	}
	if c.MaxCertificates < 0 {
		return fmt.Errorf("tls: max_certificates %d: must not be negative", c.MaxCertificates)
	}
	return nil
}

// Session holds the two directional parsers of one TCP connection and the
// Handshake they fill.
type Session struct {
	Client    *Parser // bytes sent by the connection's initiator
	Server    *Parser // bytes sent by the responder
	Handshake Handshake
}

// NewSession returns a Session with the given bounds.
func NewSession(cfg Config) (*Session, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Session{}
	s.Client = &Parser{cfg: cfg, hs: &s.Handshake, dir: 0}
	s.Server = &Parser{cfg: cfg, hs: &s.Handshake, dir: 1}
	return s, nil
}

// Parser parses one direction of a TLS byte stream incrementally. Feed may
// be called with any split of the stream; at most one handshake message
// (bounded by Config.MaxMessageSize) plus a 5-byte record header is buffered.
// After the first error the parser is stopped and every later call returns
// that error, because a byte stream cannot be resynchronised. A Parser is not
// safe for concurrent use.
type Parser struct {
	cfg Config
	hs  *Handshake
	dir int

	hdr    [5]byte
	hdrN   int
	recTyp uint8
	recRem int  // bytes of the current record's payload still to come
	inRec  bool // a record header has been read
	cipher bool // this direction sent ChangeCipherSpec: later handshake records are encrypted

	msg []byte // partial handshake message (header included)
	err error
}

// Handshake returns the handshake state shared by the session.
func (p *Parser) Handshake() *Handshake { return p.hs }

// Err returns the error that stopped the parser, or nil.
func (p *Parser) Err() error { return p.err }

// Feed consumes the next bytes of the TLS record stream. data is not
// retained after Feed returns.
func (p *Parser) Feed(data []byte) error {
	if p.err != nil {
		return p.err
	}
	for len(data) > 0 {
		if !p.inRec {
			n := copy(p.hdr[p.hdrN:], data)
			p.hdrN += n
			data = data[n:]
			if p.hdrN < 5 {
				return nil
			}
			if err := p.startRecord(); err != nil {
				p.err = err
				return err
			}
			continue
		}
		n := min(p.recRem, len(data))
		chunk := data[:n]
		data = data[n:]
		p.recRem -= n
		if p.recTyp == recordHandshake && !p.cipher {
			if err := p.FeedHandshake(chunk); err != nil {
				return err
			}
		}
		if p.recRem == 0 {
			p.inRec, p.hdrN = false, 0
		}
	}
	return nil
}

func (p *Parser) startRecord() error {
	typ, major, length := p.hdr[0], p.hdr[1], int(p.hdr[3])<<8|int(p.hdr[4])
	if typ < recordChangeCipherSpec || typ > recordHeartbeat || major != 3 {
		return fmt.Errorf("tls: record type %d version %d.%d: %w", typ, major, p.hdr[2], ErrMalformed)
	}
	if length > maxRecordLen {
		return fmt.Errorf("tls: record length %d: %w", length, ErrTooLarge)
	}
	switch typ {
	case recordChangeCipherSpec:
		p.hs.ChangeCipherSpec[p.dir] = true
		p.cipher = true
	case recordApplicationData:
		p.hs.ApplicationData[p.dir] = true
	case recordAlert:
		if !p.cipher {
			p.hs.Alert = true
		}
	}
	p.recTyp, p.recRem, p.inRec = typ, length, true
	if length == 0 {
		p.inRec, p.hdrN = false, 0
	}
	return nil
}

// FeedHandshake consumes bytes of the handshake-message layer directly,
// without TLS records: QUIC carries the handshake this way in CRYPTO frames.
// Handshake messages may be split across calls or share one call.
func (p *Parser) FeedHandshake(data []byte) error {
	if p.err != nil {
		return p.err
	}
	for len(data) > 0 {
		// Fast path: a whole message at the start of data is parsed in place.
		if len(p.msg) == 0 && len(data) >= 4 {
			size := int(data[1])<<16 | int(data[2])<<8 | int(data[3])
			if size > p.cfg.MaxMessageSize {
				p.err = fmt.Errorf("tls: handshake message type %d length %d: %w", data[0], size, ErrTooLarge)
				return p.err
			}
			if len(data) >= 4+size {
				if err := p.message(data[0], data[4:4+size]); err != nil {
					p.err = err
					return err
				}
				data = data[4+size:]
				continue
			}
		}
		// Otherwise fill the 4-byte header, then the body, never buffering
		// more than one message.
		need := 4
		if len(p.msg) >= 4 {
			need = 4 + (int(p.msg[1])<<16 | int(p.msg[2])<<8 | int(p.msg[3]))
		}
		n := min(need-len(p.msg), len(data))
		if p.msg == nil {
			p.msg = (*msgBufs.Get().(*[]byte))[:0]
		}
		p.msg = append(p.msg, data[:n]...)
		data = data[n:]
		if len(p.msg) == 4 {
			size := int(p.msg[1])<<16 | int(p.msg[2])<<8 | int(p.msg[3])
			if size > p.cfg.MaxMessageSize {
				p.err = fmt.Errorf("tls: handshake message type %d length %d: %w", p.msg[0], size, ErrTooLarge)
				p.releaseMsg()
				return p.err
			}
			p.msg = slices.Grow(p.msg, size) // once, not doubling segment by segment
		}
		if len(p.msg) >= 4 && len(p.msg) == 4+(int(p.msg[1])<<16|int(p.msg[2])<<8|int(p.msg[3])) {
			err := p.message(p.msg[0], p.msg[4:])
			// The buffer goes back to the pool: message keeps nothing of it,
			// and a connection waiting for its next message holds none.
			p.releaseMsg()
			if err != nil {
				p.err = err
				return err
			}
		}
	}
	return nil
}

// msgBufs hold handshake messages that arrive in pieces (a certificate
// chain spans several TCP segments), shared by every connection.
var msgBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// maxPooledMsg bounds the buffers put back: a rare huge chain is not kept.
const maxPooledMsg = 64 << 10

func (p *Parser) releaseMsg() {
	if p.msg != nil && cap(p.msg) <= maxPooledMsg {
		b := p.msg[:0]
		msgBufs.Put(&b)
	}
	p.msg = nil
}

func (p *Parser) message(typ uint8, body []byte) error {
	switch typ {
	case typeClientHello:
		if p.hs.ClientHello != nil {
			return nil
		}
		ch, err := ParseClientHello(body)
		if err != nil {
			return err
		}
		p.hs.ClientHello = ch
	case typeServerHello:
		if p.hs.ServerHello != nil {
			return nil
		}
		sh, err := ParseServerHello(body)
		if err != nil {
			return err
		}
		p.hs.ServerHello = sh
	case typeCertificate:
		if p.dir != 1 || p.hs.Certificates != nil {
			return nil
		}
		if sh := p.hs.ServerHello; sh != nil && sh.Version() == 0x0304 {
			return nil // TLS 1.3 Certificate has a different layout and is normally encrypted
		}
		certs, err := parseCertificateList(body, p.cfg.MaxCertificates)
		if err != nil {
			return err
		}
		p.hs.Certificates = certs
	}
	return nil
}

// Probe reports whether data starts like a TLS stream: a plaintext
// handshake record (TLS 1.0–1.3 record version) whose first message is a
// ClientHello or ServerHello. The dissect framework uses it to recognise TLS
// on any port and to find where TLS starts after a STARTTLS exchange.
func Probe(data []byte) bool {
	return len(data) >= 6 && data[0] == recordHandshake && data[1] == 3 && data[2] <= 4 &&
		(data[5] == typeClientHello || data[5] == typeServerHello)
}
