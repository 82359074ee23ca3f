package reassembly

import (
	"testing"
)

// Inputs are capped so that one run stays fast.
const (
	maxFuzzData = 2048
	maxFuzzPlan = 512
)

// chooser hands out the bytes of a fuzzer-chosen plan as decisions; an
// exhausted plan gives zeros.
type chooser []byte

func (c *chooser) next() int {
	if len(*c) == 0 {
		return 0
	}
	b := (*c)[0]
	*c = (*c)[1:]
	return int(b)
}

type span struct {
	lo, hi  int
	altered bool // carries other bytes than the original (an overlap that differs)
	fin     bool
}

// oracle is a Handler that checks, as bytes arrive, that each delivered
// byte is the first copy Add was given for its offset.
type oracle struct {
	tb    testing.TB
	first []int16 // per offset: the first copy's byte, or -1
	pos   int     // offset of the next byte
	data  int     // bytes delivered
	gaps  int     // bytes declared missing
}

func (o *oracle) Data(d []byte) {
	if len(d) == 0 {
		o.tb.Fatal("empty Data call")
	}
	for i, b := range d {
		x := o.pos + i
		if x < 0 || x >= len(o.first) || o.first[x] < 0 {
			o.tb.Fatalf("byte at offset %d delivered, but no segment carried it", x)
		}
		if int16(b) != o.first[x] {
			o.tb.Fatalf("byte at offset %d is %#x, the first copy was %#x", x, b, o.first[x])
		}
	}
	o.pos += len(d)
	o.data += len(d)
}

func (o *oracle) Gap(n int) {
	if n <= 0 {
		o.tb.Fatalf("Gap(%d)", n)
	}
	o.pos += n
	o.gaps += n
}

// FuzzStream cuts a byte string into segments, adds resegmented and
// altered copies, and delivers them to two streams sharing a pool in
// fuzzer-chosen orders with drops, duplicates, snap-length cuts and
// acknowledgments, under fuzzer-chosen limits. It checks that delivered plus gap bytes cover the stream from
// its start to its last byte (or FIN), that each delivered byte is the
// first copy seen for its offset (the original, unless an altered copy
// came first), that every payload byte is delivered once or counted as
// retransmitted, and that the buffers never exceed the limits.
func FuzzStream(f *testing.F) {
	f.Add([]byte("hello, world"), []byte{}, uint32(0), uint8(1))
	f.Add([]byte("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"), []byte{3, 5, 7, 2, 200, 1, 9, 9, 4, 0, 1, 2, 3}, uint32(0xfffffff0), uint8(3))
	f.Add([]byte("0123456789abcdefghijklmnopqrstuvwxyz"), []byte{60, 2, 70, 1, 1, 1, 1, 255, 254, 3, 4, 5, 6, 7, 8, 9}, uint32(0xffffffff), uint8(0))
	f.Add(make([]byte, 1500), []byte{255, 7, 255, 15, 15, 15, 15, 15, 15, 15, 6, 0, 10, 200, 1, 0, 50, 20, 3}, uint32(12345), uint8(2))
	f.Fuzz(func(t *testing.T, data, plan []byte, isn uint32, opts uint8) {
		if len(data) == 0 || len(data) > maxFuzzData || len(plan) > maxFuzzPlan {
			return
		}
		c := chooser(plan)
		synStart, finEnd := opts&1 != 0, opts&2 != 0
		cfg := DefaultConfig()
		if opts&4 == 0 {
			cfg.MaxBufferedPerStream = 1 + c.next()%128
			cfg.MaxSegmentsPerStream = 1 + c.next()%8
			cfg.MaxBufferedTotal = cfg.MaxBufferedPerStream + c.next()%128
		}
		p, err := NewPool(cfg)
		if err != nil {
			t.Fatal(err)
		}

		// The segments: a cut of the data, then resegmented copies, some
		// with other bytes.
		var segs []span
		for pos := 0; pos < len(data); {
			n := min(1+c.next()%24, len(data)-pos)
			segs = append(segs, span{lo: pos, hi: pos + n})
			pos += n
		}
		segs[len(segs)-1].fin = finEnd
		for range c.next() % 8 {
			lo := (c.next()<<8 | c.next()) % len(data)
			hi := min(lo+1+c.next()%48, len(data))
			segs = append(segs, span{lo: lo, hi: hi, altered: c.next()%4 == 0})
		}
		// Order: a shuffle driven by the plan; some segments are dropped
		// (a capture loss) and some sent twice.
		for i := len(segs) - 1; i > 0; i-- {
			j := c.next() % (i + 1)
			segs[i], segs[j] = segs[j], segs[i]
		}
		var order [2][]span
		for _, s := range segs {
			switch c.next() % 8 {
			case 0: // lost
			case 1:
				order[0] = append(order[0], s, s)
			default:
				order[0] = append(order[0], s)
			}
		}
		for i := len(order[0]) - 1; i >= 0; i-- { // the other stream: reversed
			order[1] = append(order[1], order[0][i])
		}

		var streams [2]Stream
		var hs [2]*oracle
		var starts, ends [2]int
		var added [2]int
		var finSeen [2]bool
		for d := range 2 {
			hs[d] = &oracle{tb: t, first: make([]int16, len(data))}
			for i := range hs[d].first {
				hs[d].first[i] = -1
			}
			starts[d] = -1
			if synStart {
				streams[d].Add(p, isn, true, false, nil, hs[d])
				starts[d] = 0
			}
		}
		buf := make([]byte, 64)
		add := func(d int, s span, cut, ackAt int) {
			payload := append(buf[:0], data[s.lo:s.hi]...)
			if s.altered {
				for i := range payload {
					payload[i] ^= 0x5a
				}
			}
			// Some segments are cut by the snap length.
			missing := 0
			if cut%6 == 0 {
				missing = 1 + cut/6%len(payload)
				payload = payload[:len(payload)-missing]
			}
			if starts[d] < 0 {
				starts[d] = s.lo
				hs[d].pos = s.lo
			}
			for i, b := range payload {
				if x := s.lo + i; x >= starts[d] && hs[d].first[x] < 0 {
					hs[d].first[x] = int16(b)
				}
			}
			if s.hi > starts[d] {
				ends[d] = max(ends[d], s.hi)
			}
			finSeen[d] = finSeen[d] || s.fin
			added[d] += len(payload)
			if missing > 0 {
				streams[d].AddTruncated(p, isn+1+uint32(s.lo), false, s.fin, payload, missing, hs[d])
			} else {
				streams[d].Add(p, isn+1+uint32(s.lo), false, s.fin, payload, hs[d])
			}
			checkInvariants(t, p, &streams[0], &streams[1])
			// Sometimes the other side acknowledges some byte.
			if ackAt%5 == 0 {
				streams[d].Ack(p, isn+1+uint32(ackAt/5%(len(data)+1)), hs[d])
				checkInvariants(t, p, &streams[0], &streams[1])
			}
		}
		for i := range max(len(order[0]), len(order[1])) {
			cut, ackAt := c.next(), c.next()
			for d := range 2 {
				if i < len(order[d]) {
					add(d, order[d][i], cut, ackAt)
				}
			}
		}
		for d := range 2 {
			streams[d].Flush(p, hs[d])
			checkInvariants(t, p, &streams[0], &streams[1])
			// Nothing more after Flush.
			streams[d].Add(p, isn+1, false, false, data, hs[d])
		}

		st := p.Stats()
		if st.Buffered != 0 {
			t.Fatalf("%d bytes still buffered after Flush", st.Buffered)
		}
		delivered := 0
		for d := range 2 {
			o := hs[d]
			if starts[d] < 0 {
				if o.data+o.gaps != 0 {
					t.Fatalf("stream %d: nothing added, %d bytes delivered, %d declared missing", d, o.data, o.gaps)
				}
				continue
			}
			end := ends[d]
			if finSeen[d] {
				end = max(end, len(data))
			}
			if end < starts[d] {
				end = starts[d]
			}
			if got, want := o.data+o.gaps, end-starts[d]; got != want {
				t.Fatalf("stream %d: %d bytes delivered + %d missing = %d; want %d (offsets %d to %d)",
					d, o.data, o.gaps, got, want, starts[d], end)
			}
			if o.pos != end {
				t.Fatalf("stream %d ends at offset %d; want %d", d, o.pos, end)
			}
			delivered += o.data
		}
		if st.GapBytes != uint64(hs[0].gaps+hs[1].gaps) {
			t.Fatalf("GapBytes %d, handlers saw %d", st.GapBytes, hs[0].gaps+hs[1].gaps)
		}
		if got, want := uint64(delivered)+st.RetransmittedBytes, uint64(added[0]+added[1]); got != want {
			t.Fatalf("%d bytes delivered + %d retransmitted = %d; %d were added", delivered, st.RetransmittedBytes, got, want)
		}
	})
}
