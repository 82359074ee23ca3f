// Package lines splits a TCP byte stream into text lines with a bound on
// line length, for the line-based protocol parsers (FTP, SMTP, and later
// POP3, IMAP, IRC). It survives capture gaps: after bytes are lost in the
// middle of a line, the rest of that line is skipped.
//
// Place in the pipeline: a library for dissect/<proto> packages, which may
// not import each other.
package lines

import "bytes"

// Splitter cuts one direction of a stream into lines. The zero value with
// Max set is ready to use; it is not safe for concurrent use.
type Splitter struct {
	Max  int // longest line kept, in bytes
	buf  []byte
	skip bool // discarding the rest of an over-long or damaged line
}

// Gap drops the line in progress and, if there was one, skips to the next
// line ending. With no line in progress the lost bytes most likely were
// whole lines (commands and replies travel one or more lines per segment),
// so the next byte starts a line.
func (s *Splitter) Gap() {
	s.skip = s.skip || len(s.buf) > 0
	s.buf = s.buf[:0]
}

// Next returns the next complete line without its line ending (nil if
// there is none yet) and the unconsumed input. tooLong reports a line over
// Max, which is dropped: the caller counts it. The line is valid until the
// next call.
func (s *Splitter) Next(data []byte) (line, rest []byte, tooLong bool) {
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		if s.skip {
			return nil, nil, false
		}
		if len(s.buf)+len(data) > s.Max {
			s.buf, s.skip = s.buf[:0], true
			return nil, nil, true
		}
		s.buf = append(s.buf, data...)
		return nil, nil, false
	}
	chunk, rest := data[:i], data[i+1:]
	if s.skip {
		s.skip = false
		return nil, rest, false
	}
	if len(s.buf) > 0 {
		if len(s.buf)+len(chunk) > s.Max {
			s.buf = s.buf[:0]
			return nil, rest, true
		}
		s.buf = append(s.buf, chunk...)
		chunk = s.buf
		s.buf = s.buf[:0]
	} else if len(chunk) > s.Max {
		return nil, rest, true
	}
	return bytes.TrimSuffix(chunk, []byte{'\r'}), rest, false
}

// Buffered returns the bytes held for the line in progress (at most Max).
func (s *Splitter) Buffered() int { return len(s.buf) }
