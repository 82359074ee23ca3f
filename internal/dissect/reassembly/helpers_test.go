package reassembly

import (
	"fmt"
	"strings"
	"testing"
)

// recorder is a Handler that writes what it gets as text: data verbatim,
// a gap of n bytes as [n].
type recorder struct{ strings.Builder }

func (r *recorder) Data(d []byte) { r.Write(d) }
func (r *recorder) Gap(n int)     { fmt.Fprintf(r, "[%d]", n) }

// discard is a Handler that only counts.
type discard struct{ data, gaps int }

func (d *discard) Data(b []byte) { d.data += len(b) }
func (d *discard) Gap(n int)     { d.gaps += n }

// checkInvariants fails the test if the streams' buffers break the
// package's invariants or a limit: runs are sorted, disjoint, not
// adjacent, all ahead of next, within the per-stream limits, and the
// pool's Buffered is the sum of what the streams hold and within its
// limit.
func checkInvariants(tb testing.TB, p *Pool, streams ...*Stream) {
	tb.Helper()
	total := 0
	for i, s := range streams {
		b := s.buf
		if b == nil {
			continue
		}
		if len(b.segs) == 0 {
			tb.Fatalf("stream %d: empty run list kept", i)
		}
		sum, prevEnd := 0, 0
		for k, r := range b.segs {
			rs := s.rel(r.seq)
			if len(r.data) == 0 {
				tb.Fatalf("stream %d: run %d is empty", i, k)
			}
			if rs <= prevEnd {
				tb.Fatalf("stream %d: run %d at +%d does not start after the hole at +%d", i, k, rs, prevEnd)
			}
			prevEnd = rs + len(r.data)
			sum += len(r.data)
		}
		if sum != b.bytes {
			tb.Fatalf("stream %d: runs hold %d bytes, counted %d", i, sum, b.bytes)
		}
		if sum > p.cfg.MaxBufferedPerStream {
			tb.Fatalf("stream %d: %d bytes buffered, over the limit %d", i, sum, p.cfg.MaxBufferedPerStream)
		}
		if len(b.segs) > p.cfg.MaxSegmentsPerStream {
			tb.Fatalf("stream %d: %d runs buffered, over the limit %d", i, len(b.segs), p.cfg.MaxSegmentsPerStream)
		}
		total += sum
	}
	st := p.Stats()
	if st.Buffered != total {
		tb.Fatalf("pool counts %d bytes buffered, streams hold %d", st.Buffered, total)
	}
	if st.Buffered > p.cfg.MaxBufferedTotal || st.PeakBuffered > p.cfg.MaxBufferedTotal {
		tb.Fatalf("pool holds %d bytes (peak %d), over the limit %d", st.Buffered, st.PeakBuffered, p.cfg.MaxBufferedTotal)
	}
	if st.InOrder+st.OutOfOrder+st.Retransmitted+st.OutOfWindow != st.Segments {
		tb.Fatalf("segment counters do not add up: %+v", st)
	}
}

func mustPool(tb testing.TB, cfg Config) *Pool {
	tb.Helper()
	p, err := NewPool(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}
