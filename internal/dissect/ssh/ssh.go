package ssh

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors wrapped by every error the package returns.
var (
	// ErrTruncated means the input ended inside a structure whose length
	// says more bytes should follow.
	ErrTruncated = errors.New("truncated")
	// ErrMalformed means the bytes cannot be SSH.
	ErrMalformed = errors.New("malformed")
	// ErrTooLarge means a banner or packet exceeds the configured bound.
	ErrTooLarge = errors.New("too large")
)

// Message numbers used by the parser (RFC 4253 §12).
const (
	msgKexInit = 20
	msgNewKeys = 21
)

// Config bounds the memory a Parser may use.
type Config struct {
	// MaxBannerLen is the longest identification or pre-banner line kept,
	// CR LF included. RFC 4253 §4.2 allows 255; real servers stay below.
	MaxBannerLen int
	// MaxPreBannerLines is how many lines a server may send before its
	// identification string (RFC 4253 §4.2 allows such lines).
	MaxPreBannerLines int
	// MaxPacketSize is the largest cleartext binary packet buffered.
	// Post-quantum KEXINIT and KEX_ECDH_REPLY messages reach a few KiB.
	MaxPacketSize int
}

// DefaultConfig returns working bounds.
func DefaultConfig() Config {
	return Config{MaxBannerLen: 1024, MaxPreBannerLines: 64, MaxPacketSize: 64 << 10}
}

// Validate reports a bound that cannot work.
func (c Config) Validate() error {
	var errs []error
	if c.MaxBannerLen < 8 {
		errs = append(errs, fmt.Errorf("ssh: max_banner_len %d: must be at least 8", c.MaxBannerLen))
	}
	if c.MaxPreBannerLines < 0 {
		errs = append(errs, fmt.Errorf("ssh: max_pre_banner_lines %d: must not be negative", c.MaxPreBannerLines))
	}
	if c.MaxPacketSize < 256 {
		errs = append(errs, fmt.Errorf("ssh: max_packet_size %d: must be at least 256", c.MaxPacketSize))
	}
	return errors.Join(errs...)
}

type state uint8

const (
	stBanner state = iota
	stPackets
	stEncrypted
	stDone // SSH-1, error or nothing more to learn
)

// Parser parses one direction of an SSH connection. The zero value is not
// usable; call NewParser. Feed may be called with data split anywhere.
type Parser struct {
	cfg      Config
	st       state
	buf      []byte
	preLines int
	err      error

	// Banner is the identification string without CR LF, once seen.
	Banner string
	// KexInit is the KEXINIT message, once seen.
	KexInit *KexInit
	// NewKeys is true once this side sent SSH_MSG_NEWKEYS; what follows is
	// encrypted.
	NewKeys bool
	// Version1 is true when the banner announced SSH 1.x only
	// (SSH-1.99 means both and counts as version 2).
	Version1 bool
	// lastEncrypted is the number of encrypted bytes in the last Feed call.
	lastEncrypted int
}

// NewParser returns a parser for one direction. cfg is used as given;
// call Validate first.
func NewParser(cfg Config) *Parser { return &Parser{cfg: cfg} }

// Err returns the error that stopped the parser, or nil.
func (p *Parser) Err() error { return p.err }

// Encrypted is true once this direction has switched to encrypted data.
func (p *Parser) Encrypted() bool { return p.st == stEncrypted }

// Feed parses the next bytes of the direction. It keeps no reference to
// data after it returns. Once it has returned an error, later calls return
// nil and do nothing.
func (p *Parser) Feed(data []byte) error {
	p.lastEncrypted = 0
	if p.st == stDone {
		return nil
	}
	if p.st == stEncrypted {
		p.lastEncrypted = len(data)
		return nil
	}
	buffered := len(p.buf) > 0
	if buffered {
		p.buf = append(p.buf, data...)
		data = p.buf
	}
	rest, err := p.consume(data)
	switch {
	case err != nil:
		p.err, p.st, p.buf = err, stDone, nil
		return err
	case p.st == stEncrypted:
		p.lastEncrypted = len(rest)
		p.buf = nil
	case p.st == stDone:
		p.buf = nil
	case !buffered:
		// Keep a copy of the tail: the caller may reuse data.
		p.buf = append([]byte(nil), rest...)
	case len(rest) < len(p.buf):
		// rest is a suffix of p.buf; an unchanged buffer is not copied
		// again, so byte-by-byte input costs linear time.
		p.buf = p.buf[:copy(p.buf, rest)]
	}
	return nil
}

// consume parses as much of data as possible and returns the unparsed tail.
func (p *Parser) consume(data []byte) ([]byte, error) {
	for p.st == stBanner {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			if len(data) > p.cfg.MaxBannerLen {
				return nil, fmt.Errorf("ssh: banner line of %d bytes: %w", len(data), ErrTooLarge)
			}
			return data, nil
		}
		if i+1 > p.cfg.MaxBannerLen {
			return nil, fmt.Errorf("ssh: banner line of %d bytes: %w", i+1, ErrTooLarge)
		}
		line := strings.TrimRight(string(data[:i]), "\r")
		data = data[i+1:]
		if !strings.HasPrefix(line, "SSH-") {
			p.preLines++
			if p.preLines > p.cfg.MaxPreBannerLines {
				return nil, fmt.Errorf("ssh: %d lines before the banner: %w", p.preLines, ErrMalformed)
			}
			continue
		}
		p.Banner = line
		proto, _, _ := strings.Cut(line[4:], "-")
		if strings.HasPrefix(proto, "1.") && proto != "1.99" {
			p.Version1 = true
			p.st = stDone
			return nil, nil
		}
		p.st = stPackets
	}
	for p.st == stPackets {
		if len(data) < 5 {
			return data, nil
		}
		n := binary.BigEndian.Uint32(data)
		if n < 5 || uint64(n) > uint64(p.cfg.MaxPacketSize) {
			if n < 5 {
				return nil, fmt.Errorf("ssh: packet length %d: %w", n, ErrMalformed)
			}
			return nil, fmt.Errorf("ssh: packet length %d: %w", n, ErrTooLarge)
		}
		if uint64(len(data)) < 4+uint64(n) {
			return data, nil
		}
		pkt := data[4 : 4+n]
		data = data[4+n:]
		pad := int(pkt[0])
		if pad+1 >= len(pkt) {
			return nil, fmt.Errorf("ssh: padding %d in packet of %d: %w", pad, n, ErrMalformed)
		}
		payload := pkt[1 : len(pkt)-pad]
		switch payload[0] {
		case msgKexInit:
			if p.KexInit == nil {
				k, err := ParseKexInit(payload)
				if err != nil {
					return nil, err
				}
				p.KexInit = k
			}
		case msgNewKeys:
			p.NewKeys = true
			p.st = stEncrypted
		}
	}
	return data, nil
}

// Session parses both directions of one SSH connection. Calls must follow
// capture order across the two directions, because the login inference
// compares the sizes of client and server data in the order they were
// seen.
type Session struct {
	// Client and Server are the two directions.
	Client, Server *Parser
	auth           authState
}

// NewSession returns a session with a parser per direction.
func NewSession(cfg Config) *Session {
	return &Session{Client: NewParser(cfg), Server: NewParser(cfg)}
}

// FeedClient parses bytes sent by the client (the connection originator).
// Each call should carry one TCP segment's payload: the login inference
// measures encrypted bytes per call, as Zeek measures them per delivery.
func (s *Session) FeedClient(data []byte) error {
	if s.Server.Version1 && s.Client.Banner != "" {
		return nil // SSH-1 binary packets are not parsed
	}
	err := s.Client.Feed(data)
	if s.Client.lastEncrypted > 0 && s.version2() {
		s.auth.clientData = true
	}
	return err
}

// FeedServer parses bytes sent by the server; see FeedClient.
func (s *Session) FeedServer(data []byte) error {
	if s.Client.Version1 && s.Server.Banner != "" {
		return nil // SSH-1 binary packets are not parsed
	}
	err := s.Server.Feed(data)
	if n := s.Server.lastEncrypted; n > 0 && s.version2() {
		s.auth.server(n)
	}
	return err
}

func (s *Session) version2() bool { return !s.Client.Version1 && !s.Server.Version1 }
