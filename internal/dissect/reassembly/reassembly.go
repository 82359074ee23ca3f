package reassembly

import (
	"bytes"
	"slices"
)

// Handler receives one direction of a TCP connection in order. It is
// implemented by the consumer (the dissect engine, which feeds a stream
// parser).
type Handler interface {
	// Data is the next bytes of the stream. data is only valid during the
	// call: a handler that keeps bytes must copy them.
	Data(data []byte)
	// Gap says n bytes were never seen: they are missing before the next
	// Data.
	Gap(n int)
}

// window is how far ahead of (or behind) the next expected byte a segment
// may start: 1 GiB, the largest TCP window (65535 << 14). A segment beyond
// it cannot belong to the stream as the capture saw it (a corrupted or
// forged header, or a tuple reused without a SYN we saw); it is dropped and
// counted in Stats.OutOfWindow rather than taken as a new start, so that a
// single forged packet cannot move the stream away from its real data.
const window = 1 << 30

// State bits of a Stream.
const (
	started uint8 = 1 << iota // next and end are set
	closed                    // Flush or Release was called
)

// Stream is one direction of a TCP connection. Its zero value is ready.
// It holds the next expected sequence number and, only while data waits
// behind a hole, a pointer to the buffered runs. A Stream is used with one
// Pool, from one goroutine; its handler must not call back into it.
//
// When the flow ends the owner calls Flush (deliver what is buffered) or
// Release (drop it): either returns the buffered bytes to the Pool's
// budget, which a forgotten Stream would keep. To start a new connection
// on the same Stream, Release it and assign Stream{}.
type Stream struct {
	buf   *runs  // out-of-order data; nil when none
	next  uint32 // sequence number of the next byte to deliver
	end   uint32 // sequence number after the last byte known to be sent
	state uint8
}

// runs is the out-of-order data of a stream: disjoint, non-adjacent runs
// of bytes, sorted by sequence number, all after the stream's next byte.
type runs struct {
	segs  []run
	bytes int
}

// run is a contiguous piece of buffered data. Its buffer comes from the
// Pool's free list.
type run struct {
	seq  uint32
	data []byte
}

// rel returns seq's offset from the next expected byte, by serial number
// arithmetic (RFC 1982): a sequence number less than 2 GiB ahead is ahead.
func (s *Stream) rel(seq uint32) int { return int(int32(seq - s.next)) }

// Add takes one TCP segment of the direction: its sequence number, its SYN
// and FIN flags and its payload (which may be empty). In-order bytes are
// delivered to h straight from payload, followed by the buffered bytes
// that became contiguous; bytes ahead of a hole are copied into the
// buffer. payload is not kept after Add returns.
//
// A SYN sets the initial sequence number (data on it counts from seq+1).
// Without one, the first segment with payload starts the stream at its
// sequence number; earlier bytes are then old. A FIN marks where the
// direction ends, so that Flush can declare the missing tail. Segments
// with neither payload, SYN nor FIN need not be passed. After Flush or
// Release, Add does nothing.
func (s *Stream) Add(p *Pool, seq uint32, syn, fin bool, payload []byte, h Handler) {
	s.add(p, seq, syn, fin, payload, 0, h)
}

// AddTruncated is Add for a segment the capture cut short (snap length):
// payload is what was captured and missing more bytes followed it on the
// wire. When the missing bytes are next in the stream they are declared a
// gap at once (buffered data inside them is still delivered); when they
// lie ahead of a hole they stay a hole, which a retransmission may fill
// or Ack, a limit or Flush declares a gap later.
func (s *Stream) AddTruncated(p *Pool, seq uint32, syn, fin bool, payload []byte, missing int, h Handler) {
	s.add(p, seq, syn, fin, payload, min(max(missing, 0), window), h)
}

func (s *Stream) add(p *Pool, seq uint32, syn, fin bool, payload []byte, missing int, h Handler) {
	if s.state&closed != 0 {
		return
	}
	if syn {
		if s.state&started == 0 {
			s.next, s.end = seq+1, seq+1
			s.state |= started
		}
		seq++
	}
	if s.state&started == 0 {
		if len(payload)+missing == 0 {
			return
		}
		s.next, s.end = seq, seq
		s.state |= started
	}
	off := s.rel(seq)
	if off >= window || off+len(payload)+missing <= -window {
		if len(payload) > 0 {
			p.stats.Segments++
			p.stats.OutOfWindow++
		}
		return
	}
	// Bytes up to the end of this segment (or its FIN) were sent; Flush
	// declares those never delivered a gap.
	if len(payload)+missing > 0 || fin {
		if e := seq + uint32(len(payload)+missing); int32(e-s.end) > 0 {
			s.end = e
		}
	}
	if len(payload) > 0 {
		p.stats.Segments++
		switch end := off + len(payload); {
		case end <= 0:
			p.stats.Retransmitted++
			p.stats.RetransmittedBytes += uint64(len(payload))
		case off <= 0:
			p.stats.InOrder++
			p.stats.RetransmittedBytes += uint64(-off)
			s.deliver(p, payload[-off:], h)
		default:
			s.ahead(p, seq, payload, h)
		}
	}
	if missing > 0 {
		p.stats.Truncated++
		if start := seq + uint32(len(payload)); s.rel(start) <= 0 {
			s.skipTo(p, start+uint32(missing), h)
		}
	}
}

// deliver hands over payload, which starts at the next expected byte.
// Where a buffered run covers part of it the run, the first copy, wins.
func (s *Stream) deliver(p *Pool, payload []byte, h Handler) {
	seq := s.next
	for {
		if off := s.rel(seq); off < 0 { // a buffered run delivered these bytes
			payload = payload[min(-off, len(payload)):]
			seq = s.next
		}
		if len(payload) == 0 {
			break
		}
		if s.buf == nil {
			s.next += uint32(len(payload))
			h.Data(payload)
			return
		}
		r := s.buf.segs[0]
		rs := s.rel(r.seq)
		if rs > 0 {
			n := min(rs, len(payload))
			s.next += uint32(n)
			seq = s.next
			h.Data(payload[:n])
			payload = payload[n:]
			continue
		}
		// r starts at next (runs stay ahead of it, so rs is 0): compare
		// the overlap, then deliver r instead.
		d := r.data[min(-rs, len(r.data)):]
		n := min(len(d), len(payload))
		p.stats.RetransmittedBytes += uint64(n)
		if !bytes.Equal(d[:n], payload[:n]) {
			p.stats.Overlaps++
		}
		s.drain(p, h)
	}
	s.drain(p, h)
}

// drain delivers the buffered runs that start at the next expected byte.
func (s *Stream) drain(p *Pool, h Handler) {
	b := s.buf
	if b == nil {
		return
	}
	k := 0
	for ; k < len(b.segs); k++ {
		r := b.segs[k]
		off := s.rel(r.seq)
		if off > 0 {
			break
		}
		if -off < len(r.data) { // always: runs stay ahead of next
			d := r.data[-off:]
			s.next += uint32(len(d))
			h.Data(d)
		}
		b.bytes -= len(r.data)
		p.hold(-len(r.data))
		p.put(r.data)
	}
	if k == len(b.segs) {
		p.putList(b)
		s.buf = nil
		return
	}
	b.segs = slices.Delete(b.segs, 0, k)
}

// gap declares the next n bytes missing.
func (s *Stream) gap(p *Pool, n int, h Handler) {
	s.next += uint32(n)
	p.stats.Gaps++
	p.stats.GapBytes += uint64(n)
	h.Gap(n)
}

// skip declares a gap up to the first buffered run, or up to seq if that
// comes first, and delivers what became contiguous.
func (s *Stream) skip(p *Pool, seq uint32, h Handler) {
	n := s.rel(seq)
	if s.buf != nil {
		n = min(n, s.rel(s.buf.segs[0].seq))
	}
	if n > 0 {
		s.gap(p, n, h)
	}
	s.drain(p, h)
}

// skipTo declares the holes before seq gaps, delivering the buffered runs
// between them, until seq is next.
func (s *Stream) skipTo(p *Pool, seq uint32, h Handler) {
	for s.rel(seq) > 0 {
		s.skip(p, seq, h)
	}
}

// Ack tells the stream that its receiver acknowledged every byte before
// ack (the acknowledgment number of a segment of the other direction). A
// hole before ack with buffered data after it was received by the
// endpoint but missed by the capture, so no retransmission will fill it:
// Ack declares it a gap at once and delivers the data behind it, where
// otherwise the data would wait for a limit or Flush, and the parser with
// it. A hole with no buffered data after it is left open: its bytes may
// still come, as when the capture recorded the ACK before the data.
func (s *Stream) Ack(p *Pool, ack uint32, h Handler) {
	if s.buf == nil || s.state&closed != 0 {
		return
	}
	if n := s.rel(ack); n <= 0 || n >= window {
		return
	}
	for s.buf != nil && s.rel(s.buf.segs[0].seq) <= s.rel(ack) {
		p.stats.AckGaps++
		s.skip(p, s.buf.segs[0].seq, h)
	}
}

// ahead handles a segment that starts after the next expected byte: it is
// buffered, unless a limit would be exceeded, in which case the holes
// before it are declared gaps, one at a time, until it fits or is next.
func (s *Stream) ahead(p *Pool, seq uint32, payload []byte, h Handler) {
	for {
		off := s.rel(seq)
		if off <= 0 {
			if -off >= len(payload) { // a run delivered by the skip covered it
				p.stats.Retransmitted++
				p.stats.RetransmittedBytes += uint64(len(payload))
				return
			}
			p.stats.InOrder++
			p.stats.RetransmittedBytes += uint64(-off)
			s.deliver(p, payload[-off:], h)
			return
		}
		need, alone := s.need(off, len(payload))
		if need == 0 {
			p.stats.Retransmitted++
			s.insert(p, seq, payload) // counts the overlaps, changes nothing
			return
		}
		held, nruns := 0, 0
		if s.buf != nil {
			held, nruns = s.buf.bytes, len(s.buf.segs)
		}
		if alone {
			nruns++
		}
		if held+need <= p.cfg.MaxBufferedPerStream && nruns <= p.cfg.MaxSegmentsPerStream &&
			p.stats.Buffered+need <= p.cfg.MaxBufferedTotal {
			break
		}
		p.stats.LimitDrops++
		s.skip(p, seq, h)
	}
	p.stats.OutOfOrder++
	s.insert(p, seq, payload)
}

// need returns how many of the bytes [off, off+n) are not buffered yet,
// and whether they would form a run of their own (neither overlapping nor
// touching a buffered run).
func (s *Stream) need(off, n int) (need int, alone bool) {
	if s.buf == nil {
		return n, true
	}
	pos, end := off, off+n
	alone = true
	for _, r := range s.buf.segs[s.search(off):] {
		rs := s.rel(r.seq)
		re := rs + len(r.data)
		if rs > end {
			break
		}
		alone = false
		if rs > pos {
			need += rs - pos
		}
		pos = max(pos, re)
	}
	if end > pos {
		need += end - pos
	}
	return need, alone
}

// search returns the index of the first buffered run that ends at or
// after off (runs are sorted and disjoint, so their ends are sorted too).
func (s *Stream) search(off int) int {
	segs := s.buf.segs
	lo, hi := 0, len(segs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.rel(segs[m].seq)+len(segs[m].data) < off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// insert copies the bytes of payload (starting at seq, ahead of next) that
// are not buffered yet into the buffer, merging the runs it overlaps or
// touches. Buffered bytes win over payload's; overlaps that differ are
// counted. The caller has checked the limits.
func (s *Stream) insert(p *Pool, seq uint32, payload []byte) {
	if s.buf == nil {
		s.buf = p.list()
	}
	b := s.buf
	off := s.rel(seq)
	end := off + len(payload)
	i := s.search(off)
	j := i
	for j < len(b.segs) && s.rel(b.segs[j].seq) <= end {
		j++
	}
	if i == j {
		d := p.get(len(payload))
		copy(d, payload)
		b.segs = slices.Insert(b.segs, i, run{seq: seq, data: d})
		b.bytes += len(d)
		p.hold(len(d))
		return
	}
	old := 0
	for k := i; k < j; k++ {
		r := b.segs[k]
		rs := s.rel(r.seq)
		lo, hi := max(off, rs), min(end, rs+len(r.data))
		if hi > lo {
			p.stats.RetransmittedBytes += uint64(hi - lo)
			if !bytes.Equal(payload[lo-off:hi-off], r.data[lo-rs:hi-rs]) {
				p.stats.Overlaps++
			}
		}
		old += len(r.data)
	}
	first, last := b.segs[i], b.segs[j-1]
	start := min(off, s.rel(first.seq))
	size := max(end, s.rel(last.seq)+len(last.data)) - start
	if size == old {
		return // nothing new
	}
	// Write payload, then the buffered runs over it. When the first run
	// starts the merged one and its buffer is large enough, the merged run
	// grows in place and payload is written only after it.
	var d []byte
	from := off
	inPlace := start == s.rel(first.seq) && cap(first.data) >= size
	if inPlace {
		d = first.data[:size]
		from = max(off, start+len(first.data))
	} else {
		d = p.get(size)
	}
	if from < end {
		copy(d[from-start:], payload[from-off:])
	}
	for k := i; k < j; k++ {
		if inPlace && k == i {
			continue
		}
		r := b.segs[k]
		copy(d[s.rel(r.seq)-start:], r.data)
		p.put(r.data)
	}
	b.segs[i] = run{seq: s.next + uint32(start), data: d}
	b.segs = slices.Delete(b.segs, i+1, j)
	b.bytes += size - old
	p.hold(size - old)
}

// Flush ends the stream: it delivers what is buffered, declaring the holes
// before and between the runs as gaps, and then the bytes known to be sent
// but never seen at the end (up to a FIN, or the end of a truncated
// segment, seen ahead). Afterwards the stream delivers nothing more.
func (s *Stream) Flush(p *Pool, h Handler) {
	if s.state&closed != 0 {
		return
	}
	for s.buf != nil {
		s.skip(p, s.buf.segs[0].seq, h)
	}
	if n := s.rel(s.end); n > 0 && n < window {
		s.gap(p, n, h)
	}
	s.state |= closed
}

// Release ends the stream without delivering what is buffered (inspection
// stopped) and returns the bytes to the Pool's budget.
func (s *Stream) Release(p *Pool) {
	if b := s.buf; b != nil {
		for _, r := range b.segs {
			p.put(r.data)
		}
		p.hold(-b.bytes)
		p.putList(b)
		s.buf = nil
	}
	s.state |= closed
}
