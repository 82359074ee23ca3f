package reassembly

import "math/bits"

// Stats counts what the streams of one Pool saw. Every segment with
// (captured) payload given to Add or AddTruncated is counted in Segments
// and in exactly one of InOrder, OutOfOrder, Retransmitted and
// OutOfWindow; every captured payload byte is delivered once, or counted
// in RetransmittedBytes, or dropped with an out-of-window segment.
type Stats struct {
	Segments      uint64 // segments with payload seen
	InOrder       uint64 // delivered straight from the packet (possibly after a forced gap)
	OutOfOrder    uint64 // copied into the buffer, at least partly
	Retransmitted uint64 // segments that brought no new byte (dropped)
	OutOfWindow   uint64 // segments more than 1 GiB ahead of or behind the stream (dropped)

	// RetransmittedBytes counts payload bytes seen again: already
	// delivered, already buffered, or before the point where a capture
	// started mid-stream or a gap was declared.
	RetransmittedBytes uint64
	// Overlaps counts overlaps whose bytes differ from the buffered copy,
	// which wins (as in Zeek): a sign of evasion or of a broken stack.
	// Delivered bytes are not kept, so a retransmission of delivered
	// bytes that differs is counted in RetransmittedBytes only.
	Overlaps uint64

	Gaps       uint64 // holes declared with Handler.Gap
	GapBytes   uint64 // bytes those holes skipped
	LimitDrops uint64 // gaps declared early because a limit was reached
	AckGaps    uint64 // gaps declared early because the receiver acknowledged bytes the capture missed
	Truncated  uint64 // segments the capture cut short (AddTruncated)

	Buffered     int // out-of-order bytes held now
	PeakBuffered int // out-of-order bytes held at most
}

// Pool is the budget, the counters and the free buffers shared by the
// streams of one worker. It is not safe for concurrent use: give each
// worker goroutine its own.
type Pool struct {
	cfg   Config
	stats Stats

	// Byte buffers by size class: class c holds buffers of capacity
	// 1<<(minShift+c). At most maxFree bytes are kept.
	free      [][][]byte
	freeBytes int
	maxFree   int
	// Run lists of streams whose buffers emptied, kept for the next
	// stream that needs one.
	lists []*runs
}

const (
	minShift  = 9       // smallest buffer: 512 bytes
	freeCap   = 4 << 20 // free buffers kept at most, in bytes
	freeLists = 256     // free run lists kept at most
)

// NewPool returns a pool with cfg's limits, or an error if cfg is invalid.
func NewPool(cfg Config) (*Pool, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	classes := max(minShift, bits.Len(uint(cfg.MaxBufferedPerStream-1))) - minShift + 1
	return &Pool{
		cfg:     cfg,
		free:    make([][][]byte, classes),
		maxFree: min(cfg.MaxBufferedTotal/4, freeCap),
	}, nil
}

// Stats returns the counters.
func (p *Pool) Stats() Stats { return p.stats }

// Config returns the pool's limits.
func (p *Pool) Config() Config { return p.cfg }

// class returns the size class of a buffer of n bytes.
func class(n int) int { return max(minShift, bits.Len(uint(n-1))) - minShift }

// get returns a buffer of length n, from the free list when one fits.
func (p *Pool) get(n int) []byte {
	c := class(n)
	if c >= len(p.free) {
		return make([]byte, n) // not reached: runs never exceed the per-stream limit
	}
	if l := p.free[c]; len(l) > 0 {
		b := l[len(l)-1]
		l[len(l)-1] = nil
		p.free[c] = l[:len(l)-1]
		p.freeBytes -= cap(b)
		return b[:n]
	}
	return make([]byte, n, 1<<(minShift+c))
}

// put keeps b for reuse if it is of a size class and the free list has
// room; otherwise the garbage collector takes it.
func (p *Pool) put(b []byte) {
	c := class(cap(b))
	if c >= len(p.free) || cap(b) != 1<<(minShift+c) || p.freeBytes+cap(b) > p.maxFree {
		return
	}
	p.free[c] = append(p.free[c], b[:0])
	p.freeBytes += cap(b)
}

// list returns an empty run list.
func (p *Pool) list() *runs {
	if n := len(p.lists); n > 0 {
		r := p.lists[n-1]
		p.lists[n-1] = nil
		p.lists = p.lists[:n-1]
		return r
	}
	return &runs{segs: make([]run, 0, min(4, p.cfg.MaxSegmentsPerStream))}
}

// putList keeps an emptied run list for reuse.
func (p *Pool) putList(r *runs) {
	clear(r.segs[:cap(r.segs)])
	r.segs, r.bytes = r.segs[:0], 0
	if len(p.lists) < freeLists {
		p.lists = append(p.lists, r)
	}
}

// hold accounts for n more (or, negative, fewer) buffered bytes.
func (p *Pool) hold(n int) {
	p.stats.Buffered += n
	p.stats.PeakBuffered = max(p.stats.PeakBuffered, p.stats.Buffered)
}
