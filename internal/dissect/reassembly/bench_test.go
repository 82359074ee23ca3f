package reassembly

import (
	"fmt"
	"testing"
)

// benchSeg is a segment by its offset in its stream.
type benchSeg struct {
	stream int
	off    int
	n      int
}

// benchTrace builds the segments of streams directions of perStream
// segments of size bytes each, interleaved round-robin. With reorder, each
// stream sees its segments with adjacent pairs swapped, every 16th
// segment held back by 8 places, and every 20th sent twice.
func benchTrace(streams, perStream, size int, reorder bool) []benchSeg {
	per := make([][]benchSeg, streams)
	for s := range per {
		for i := range perStream {
			per[s] = append(per[s], benchSeg{s, i * size, size})
		}
		if !reorder {
			continue
		}
		segs := per[s]
		for i := 0; i+1 < len(segs); i += 2 {
			segs[i], segs[i+1] = segs[i+1], segs[i]
		}
		for i := 0; i+8 < len(segs); i += 16 {
			held := segs[i]
			copy(segs[i:i+8], segs[i+1:i+9])
			segs[i+8] = held
		}
		var out []benchSeg
		for i, sg := range segs {
			out = append(out, sg)
			if i%20 == 19 {
				out = append(out, sg)
			}
		}
		per[s] = out
	}
	var trace []benchSeg
	for i := 0; ; i++ {
		more := false
		for s := range per {
			if i < len(per[s]) {
				trace = append(trace, per[s][i])
				more = true
			}
		}
		if !more {
			return trace
		}
	}
}

// BenchmarkStream measures Add over a trace of many streams: in order, and
// with heavy reordering and duplicates. Payloads are read from one
// buffer, as a capture ring would hand them out.
func BenchmarkStream(b *testing.B) {
	for _, bc := range []struct {
		order   string
		size    int
		reorder bool
	}{
		{"in", 1460, false},
		{"in", 64, false},
		{"reorder", 1460, true},
		{"reorder", 64, true},
	} {
		b.Run(fmt.Sprintf("order=%s/size=%d", bc.order, bc.size), func(b *testing.B) {
			const streams, perStream = 64, 256
			trace := benchTrace(streams, perStream, bc.size, bc.reorder)
			payload := make([]byte, bc.size)
			for i := range payload {
				payload[i] = byte(i)
			}
			p := mustPool(b, DefaultConfig())
			s := make([]Stream, streams)
			var h discard
			for i := range s {
				s[i].Add(p, uint32(i)<<20, true, false, nil, &h)
			}
			span := uint32(perStream * bc.size)
			bytes := 0
			for _, sg := range trace {
				bytes += sg.n
			}
			b.SetBytes(int64(bytes))
			b.ReportAllocs()
			round := uint32(0)
			for ; b.Loop(); round++ {
				for _, sg := range trace {
					seq := uint32(sg.stream)<<20 + 1 + round*span + uint32(sg.off)
					s[sg.stream].Add(p, seq, false, false, payload[:sg.n], &h)
				}
			}
			b.ReportMetric(float64(len(trace))*float64(round)/b.Elapsed().Seconds(), "segments/s")
			st := p.Stats()
			if st.Gaps != 0 || st.Buffered != 0 {
				b.Fatalf("gaps %d, buffered %d at the end of a round; the trace is complete", st.Gaps, st.Buffered)
			}
			b.ReportMetric(float64(st.OutOfOrder)/float64(st.Segments), "ooo/segment")
		})
	}
}
