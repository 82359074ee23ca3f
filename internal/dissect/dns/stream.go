package dns

import (
	"encoding/binary"
	"fmt"
)

// Stream parses one direction of a DNS-over-TCP connection: messages
// framed by a 2-byte length prefix (RFC 1035 §4.2.2), fed in arbitrary
// pieces in stream order. It buffers at most one message (65,537 bytes).
type Stream struct {
	p   *Parser
	buf []byte
	msg Message
	err error
}

// NewStream returns a stream parser that decodes with p.
func NewStream(p *Parser) *Stream { return &Stream{p: p} }

// Write consumes stream bytes and calls emit for each complete message,
// with its parse error (nil, or a partially decoded message with
// ErrMalformed). The *Message is reused: emit must copy what it keeps.
// Write never fails on malformed messages (the framing still holds);
// it returns ErrTooLarge only for a zero length prefix, after which the
// stream is dead (every later Write returns the same error).
func (s *Stream) Write(data []byte, emit func(*Message, error)) error {
	if s.err != nil {
		return s.err
	}
	for len(data) > 0 {
		if len(s.buf) == 0 && len(data) >= 2 {
			// Fast path: whole messages straight from data, no copy.
			n := int(binary.BigEndian.Uint16(data))
			if n == 0 {
				return s.fail()
			}
			if len(data) >= 2+n {
				err := s.p.Parse(data[2:2+n], &s.msg)
				emit(&s.msg, err)
				data = data[2+n:]
				continue
			}
		}
		if len(s.buf) < 2 {
			take := min(2-len(s.buf), len(data))
			s.buf = append(s.buf, data[:take]...)
			data = data[take:]
			if len(s.buf) < 2 {
				return nil
			}
			if binary.BigEndian.Uint16(s.buf) == 0 {
				return s.fail()
			}
		}
		n := int(binary.BigEndian.Uint16(s.buf))
		take := min(2+n-len(s.buf), len(data))
		s.buf = append(s.buf, data[:take]...)
		data = data[take:]
		if len(s.buf) == 2+n {
			err := s.p.Parse(s.buf[2:], &s.msg)
			emit(&s.msg, err)
			s.buf = s.buf[:0]
		}
	}
	return nil
}

// Pending returns how many bytes of an incomplete message are buffered.
func (s *Stream) Pending() int { return len(s.buf) }

func (s *Stream) fail() error {
	s.p.stats.TooLarge++
	s.err = fmt.Errorf("%w: zero-length tcp frame", ErrTooLarge)
	s.buf = nil
	return s.err
}
