package reassembly

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

// step is one call on stream dir (0 or 1) of a test: a segment, or a Flush
// or Release.
type step struct {
	dir      int
	seq      uint32
	syn, fin bool
	data     string
	missing  int  // bytes cut by the snap length after data (AddTruncated)
	ack      bool // Ack(seq) instead of a segment
	flush    bool
	release  bool
}

func seg(seq uint32, data string) step { return step{seq: seq, data: data} }
func syn(seq uint32) step              { return step{seq: seq, syn: true} }
func flush() step                      { return step{flush: true} }
func ack(seq uint32) step              { return step{seq: seq, ack: true} }

func TestStream(t *testing.T) {
	small := func(bytes, segs, total int) Config {
		return Config{MaxBufferedPerStream: bytes, MaxSegmentsPerStream: segs, MaxBufferedTotal: total}
	}
	tests := []struct {
		name  string
		cfg   Config // zero: DefaultConfig
		steps []step
		want  string // what stream 0 delivered
		want1 string // what stream 1 delivered
		stats Stats
	}{
		{
			name:  "in order",
			steps: []step{syn(1000), seg(1001, "abc"), seg(1004, "def"), flush()},
			want:  "abcdef",
			stats: Stats{Segments: 2, InOrder: 2},
		},
		{
			name:  "SYN with data",
			steps: []step{{seq: 1000, syn: true, data: "ab"}, seg(1003, "cd")},
			want:  "abcd",
			stats: Stats{Segments: 2, InOrder: 2},
		},
		{
			name:  "SYN retransmitted with another ISN is ignored",
			steps: []step{syn(1000), syn(2000), seg(1001, "ab")},
			want:  "ab",
			stats: Stats{Segments: 1, InOrder: 1},
		},
		{
			name:  "mid-stream start: earlier bytes are old",
			steps: []step{seg(5000, "abc"), seg(5003, "def"), seg(4990, "0123456789"), seg(4995, "56789abcd")},
			want:  "abcdef",
			stats: Stats{Segments: 4, InOrder: 2, Retransmitted: 2, RetransmittedBytes: 19},
		},
		{
			name:  "pure ACK before data does not start the stream",
			steps: []step{seg(7, ""), seg(100, "xy")},
			want:  "xy",
			stats: Stats{Segments: 1, InOrder: 1},
		},
		{
			name:  "out of order",
			steps: []step{syn(0), seg(4, "def"), seg(1, "abc")},
			want:  "abcdef",
			stats: Stats{Segments: 2, InOrder: 1, OutOfOrder: 1, PeakBuffered: 3},
		},
		{
			name:  "reverse order",
			steps: []step{syn(0), seg(7, "g"), seg(5, "ef"), seg(4, "d"), seg(3, "c"), seg(1, "ab")},
			want:  "abcdefg",
			stats: Stats{Segments: 5, InOrder: 1, OutOfOrder: 4, PeakBuffered: 5},
		},
		{
			name:  "duplicate of delivered bytes",
			steps: []step{syn(0), seg(1, "abc"), seg(1, "abc"), seg(4, "d"), seg(2, "bc")},
			want:  "abcd",
			stats: Stats{Segments: 4, InOrder: 2, Retransmitted: 2, RetransmittedBytes: 5},
		},
		{
			name:  "duplicate of buffered bytes, same",
			steps: []step{syn(0), seg(3, "cd"), seg(3, "cd"), seg(4, "d"), seg(1, "ab")},
			want:  "abcd",
			stats: Stats{Segments: 4, InOrder: 1, OutOfOrder: 1, Retransmitted: 2, RetransmittedBytes: 3, PeakBuffered: 2},
		},
		{
			name:  "duplicate of buffered bytes, different: first copy wins",
			steps: []step{syn(0), seg(3, "cd"), seg(3, "XY"), seg(1, "ab")},
			want:  "abcd",
			stats: Stats{Segments: 3, InOrder: 1, OutOfOrder: 1, Retransmitted: 1, RetransmittedBytes: 2, Overlaps: 1, PeakBuffered: 2},
		},
		{
			name:  "partial overlap with delivered bytes is trimmed",
			steps: []step{syn(0), seg(1, "abcd"), seg(3, "cdef")},
			want:  "abcdef",
			stats: Stats{Segments: 2, InOrder: 2, RetransmittedBytes: 2},
		},
		{
			name:  "partial overlap with delivered bytes that differ is trimmed too",
			steps: []step{syn(0), seg(1, "abcd"), seg(3, "XYef")},
			want:  "abcdef",
			stats: Stats{Segments: 2, InOrder: 2, RetransmittedBytes: 2},
		},
		{
			name:  "overlap of buffered runs, same bytes, merges them",
			steps: []step{syn(0), seg(3, "c"), seg(7, "g"), seg(2, "bcdefgh"), seg(1, "a")},
			want:  "abcdefgh",
			stats: Stats{Segments: 4, InOrder: 1, OutOfOrder: 3, RetransmittedBytes: 2, PeakBuffered: 7},
		},
		{
			name:  "overlap of buffered run, different bytes",
			steps: []step{syn(0), seg(5, "efgh"), seg(3, "cdXXXXij"), seg(1, "ab")},
			want:  "abcdefghij",
			stats: Stats{Segments: 3, InOrder: 1, OutOfOrder: 2, RetransmittedBytes: 4, Overlaps: 1, PeakBuffered: 8},
		},
		{
			name:  "in-order segment over buffered runs: the runs win",
			steps: []step{syn(0), seg(3, "C"), seg(6, "F"), seg(1, "abcdefgh")},
			want:  "abCdeFgh",
			stats: Stats{Segments: 3, InOrder: 1, OutOfOrder: 2, RetransmittedBytes: 2, Overlaps: 2, PeakBuffered: 2},
		},
		{
			name:  "in-order segment ending inside a buffered run",
			steps: []step{syn(0), seg(4, "defg"), seg(1, "abcde")},
			want:  "abcdefg",
			stats: Stats{Segments: 2, InOrder: 1, OutOfOrder: 1, RetransmittedBytes: 2, PeakBuffered: 4},
		},
		{
			name:  "adjacent segments grow one run",
			steps: []step{syn(0), seg(3, "c"), seg(4, "d"), seg(5, "ef"), seg(2, "b"), seg(1, "a")},
			want:  "abcdef",
			stats: Stats{Segments: 5, InOrder: 1, OutOfOrder: 4, PeakBuffered: 5},
		},
		{
			name:  "wraparound in order",
			steps: []step{syn(0xfffffffd), seg(0xfffffffe, "ab"), seg(0, "cd"), seg(2, "e")},
			want:  "abcde",
			stats: Stats{Segments: 3, InOrder: 3},
		},
		{
			name:  "wraparound out of order",
			steps: []step{syn(0xfffffffd), seg(1, "de"), seg(0xffffffff, "bc"), seg(0xfffffffe, "a")},
			want:  "abcde",
			stats: Stats{Segments: 3, InOrder: 1, OutOfOrder: 2, PeakBuffered: 4},
		},
		{
			name:  "wraparound: SYN at the last sequence number",
			steps: []step{{seq: 0xffffffff, syn: true, data: "ab"}, seg(2, "c"), seg(0xffffffff, "zzz")},
			want:  "abc",
			stats: Stats{Segments: 3, InOrder: 2, Retransmitted: 1, RetransmittedBytes: 3},
		},
		{
			name:  "wraparound: mid-stream start before the wrap, retransmission after",
			steps: []step{seg(0xfffffff0, "0123456789abcdef"), seg(0, "gh"), seg(0xfffffffe, "efg")},
			want:  "0123456789abcdefgh",
			stats: Stats{Segments: 3, InOrder: 2, Retransmitted: 1, RetransmittedBytes: 3},
		},
		{
			name:  "gaps at Flush",
			steps: []step{syn(0), seg(1, "ab"), seg(5, "ef"), seg(9, "i"), flush()},
			want:  "ab[2]ef[2]i",
			stats: Stats{Segments: 3, InOrder: 1, OutOfOrder: 2, Gaps: 2, GapBytes: 4, PeakBuffered: 3},
		},
		{
			name:  "Flush of a stream without data",
			steps: []step{syn(0), flush()},
		},
		{
			name:  "FIN with the last data",
			steps: []step{syn(0), seg(1, "ab"), {seq: 5, fin: true, data: "ef"}, flush()},
			want:  "ab[2]ef",
			stats: Stats{Segments: 2, InOrder: 1, OutOfOrder: 1, Gaps: 1, GapBytes: 2, PeakBuffered: 2},
		},
		{
			name:  "FIN ahead: the missing tail is a gap at Flush",
			steps: []step{syn(0), seg(1, "ab"), {seq: 10, fin: true}, flush()},
			want:  "ab[7]",
			stats: Stats{Segments: 1, InOrder: 1, Gaps: 1, GapBytes: 7},
		},
		{
			name:  "FIN reached: no gap",
			steps: []step{syn(0), {seq: 3, fin: true}, seg(1, "ab"), flush()},
			want:  "ab",
			stats: Stats{Segments: 1, InOrder: 1},
		},
		{
			name:  "nothing is delivered after Flush",
			steps: []step{syn(0), seg(1, "ab"), flush(), seg(3, "cd"), seg(5, "ef"), flush()},
			want:  "ab",
			stats: Stats{Segments: 1, InOrder: 1},
		},
		{
			name:  "Release drops the buffer and ends the stream",
			steps: []step{syn(0), seg(1, "ab"), seg(5, "ef"), {release: true}, seg(3, "cd"), flush()},
			want:  "ab",
			stats: Stats{Segments: 2, InOrder: 1, OutOfOrder: 1, PeakBuffered: 2},
		},
		{
			name:  "out of window ahead is dropped",
			steps: []step{syn(0), seg(1<<30+1, "x"), seg(1, "ab"), seg(1<<30+3, "y"), flush()},
			want:  "ab",
			stats: Stats{Segments: 3, InOrder: 1, OutOfWindow: 2},
		},
		{
			name:  "just inside the window is buffered",
			steps: []step{syn(0), seg(1<<30, "x"), seg(1, "ab"), flush()},
			want:  "ab[1073741821]x",
			stats: Stats{Segments: 2, InOrder: 1, OutOfOrder: 1, Gaps: 1, GapBytes: 1<<30 - 3, PeakBuffered: 1},
		},
		{
			name:  "out of window behind is dropped",
			steps: []step{seg(0x80000000, "ab"), seg(0x80000000-1<<30-10, "0123456789"), seg(0x80000000-1<<30-10, "0123456789abcd")},
			want:  "ab",
			stats: Stats{Segments: 3, InOrder: 1, OutOfWindow: 1, Retransmitted: 1, RetransmittedBytes: 14},
		},
		{
			name:  "per-stream byte limit forces a gap to the first run",
			cfg:   small(4, 64, 64),
			steps: []step{syn(0), seg(3, "cd"), seg(6, "fg"), seg(9, "ij"), seg(1, "ab"), flush()},
			want:  "[2]cd[1]fg[1]ij",
			stats: Stats{
				Segments: 4, OutOfOrder: 3, Retransmitted: 1, RetransmittedBytes: 2,
				Gaps: 3, GapBytes: 4, LimitDrops: 1, PeakBuffered: 4,
			},
		},
		{
			name:  "per-stream segment limit forces a gap",
			cfg:   small(64, 2, 64),
			steps: []step{syn(0), seg(3, "c"), seg(5, "e"), seg(7, "g"), seg(4, "d"), flush()},
			want:  "[2]cde[1]g",
			stats: Stats{
				Segments: 4, InOrder: 1, OutOfOrder: 3,
				Gaps: 2, GapBytes: 3, LimitDrops: 1, PeakBuffered: 2,
			},
		},
		{
			name:  "a segment over the per-stream limit is delivered after a gap",
			cfg:   small(4, 64, 64),
			steps: []step{syn(0), seg(3, "cdefgh"), seg(1, "ab")},
			want:  "[2]cdefgh",
			stats: Stats{Segments: 2, InOrder: 1, Retransmitted: 1, RetransmittedBytes: 2, Gaps: 1, GapBytes: 2, LimitDrops: 1},
		},
		{
			name:  "a segment over the limit delivers the runs before it first",
			cfg:   small(4, 64, 64),
			steps: []step{syn(0), seg(3, "c"), seg(6, "fghijk"), flush()},
			want:  "[2]c[2]fghijk",
			stats: Stats{Segments: 2, InOrder: 1, OutOfOrder: 1, Gaps: 2, GapBytes: 4, LimitDrops: 2, PeakBuffered: 1},
		},
		{
			name:  "a forced gap reaching into the segment trims it",
			cfg:   small(4, 64, 64),
			steps: []step{syn(0), seg(3, "cd"), seg(2, "bcdefgh"), flush()},
			want:  "[1]bcdefgh",
			stats: Stats{Segments: 2, InOrder: 1, OutOfOrder: 1, RetransmittedBytes: 2, Overlaps: 0, Gaps: 1, GapBytes: 1, LimitDrops: 1, PeakBuffered: 2},
		},
		{
			name: "pool limit: the stream that needs room declares the gap",
			cfg:  small(4, 64, 5),
			steps: []step{
				syn(0), {dir: 1, seq: 100, syn: true},
				seg(3, "cde"), {dir: 1, seq: 103, data: "cde"},
				seg(1, "ab"), {dir: 1, seq: 101, data: "ab"}, {dir: 1, seq: 106, data: "f"},
			},
			want:  "abcde",
			want1: "[2]cdef",
			stats: Stats{
				Segments: 5, InOrder: 3, OutOfOrder: 1, Retransmitted: 1, RetransmittedBytes: 2,
				Gaps: 1, GapBytes: 2, LimitDrops: 1, PeakBuffered: 3,
			},
		},
		{
			name: "pool limit: budget comes back after delivery",
			cfg:  small(4, 64, 4),
			steps: []step{
				syn(0), {dir: 1, seq: 100, syn: true},
				seg(3, "cdef"), seg(1, "ab"), {dir: 1, seq: 103, data: "cdef"}, {dir: 1, seq: 101, data: "ab"},
			},
			want:  "abcdef",
			want1: "abcdef",
			stats: Stats{Segments: 4, InOrder: 2, OutOfOrder: 2, PeakBuffered: 4},
		},
		{
			name:  "Ack past a hole with data behind it declares the gap",
			steps: []step{syn(0), seg(1, "ab"), seg(5, "ef"), ack(7), seg(3, "cd")},
			want:  "ab[2]ef",
			stats: Stats{Segments: 3, InOrder: 1, OutOfOrder: 1, Retransmitted: 1, RetransmittedBytes: 2, Gaps: 1, GapBytes: 2, AckGaps: 1, PeakBuffered: 2},
		},
		{
			name:  "Ack up to the start of the data behind a hole",
			steps: []step{syn(0), seg(1, "ab"), seg(5, "ef"), ack(3), ack(4), ack(5)},
			want:  "ab[2]ef",
			stats: Stats{Segments: 2, InOrder: 1, OutOfOrder: 1, Gaps: 1, GapBytes: 2, AckGaps: 1, PeakBuffered: 2},
		},
		{
			name:  "Ack past a hole with nothing behind it waits",
			steps: []step{syn(0), seg(1, "ab"), ack(10), seg(3, "cd")},
			want:  "abcd",
			stats: Stats{Segments: 2, InOrder: 2},
		},
		{
			name:  "Ack declares only the holes before it",
			steps: []step{syn(0), seg(1, "a"), seg(3, "c"), seg(5, "e"), seg(8, "h"), ack(6), flush()},
			want:  "a[1]c[1]e[2]h",
			stats: Stats{Segments: 4, InOrder: 1, OutOfOrder: 3, Gaps: 3, GapBytes: 4, AckGaps: 2, PeakBuffered: 3},
		},
		{
			name:  "Ack out of window or behind is ignored",
			steps: []step{syn(0), seg(1, "a"), seg(3, "c"), ack(0), ack(1 << 31), ack(2 + 1<<30)},
			want:  "a",
			stats: Stats{Segments: 2, InOrder: 1, OutOfOrder: 1, PeakBuffered: 1},
		},
		{
			name:  "truncated in order: the rest is a gap at once",
			steps: []step{syn(0), {seq: 1, data: "ab", missing: 3}, seg(6, "fg"), seg(4, "de")},
			want:  "ab[3]fg",
			stats: Stats{Segments: 3, InOrder: 2, Retransmitted: 1, RetransmittedBytes: 2, Gaps: 1, GapBytes: 3, Truncated: 1},
		},
		{
			name:  "truncated to nothing",
			steps: []step{syn(0), {seq: 1, missing: 4}, seg(5, "ef")},
			want:  "[4]ef",
			stats: Stats{Segments: 1, InOrder: 1, Gaps: 1, GapBytes: 4, Truncated: 1},
		},
		{
			name:  "truncated to nothing starts a stream mid-way",
			steps: []step{{seq: 100, missing: 10}, seg(110, "x")},
			want:  "[10]x",
			stats: Stats{Segments: 1, InOrder: 1, Gaps: 1, GapBytes: 10, Truncated: 1},
		},
		{
			name:  "truncated ahead: the rest stays a hole",
			steps: []step{syn(0), {seq: 5, data: "ef", missing: 2}, seg(1, "abcd"), seg(9, "ij"), flush()},
			want:  "abcdef[2]ij",
			stats: Stats{Segments: 3, InOrder: 1, OutOfOrder: 2, Gaps: 1, GapBytes: 2, Truncated: 1, PeakBuffered: 2},
		},
		{
			name:  "truncated over buffered data delivers it",
			steps: []step{syn(0), seg(4, "de"), {seq: 1, data: "ab", missing: 5}, seg(8, "h")},
			want:  "ab[1]de[2]h",
			stats: Stats{Segments: 3, InOrder: 2, OutOfOrder: 1, Gaps: 2, GapBytes: 3, Truncated: 1, PeakBuffered: 2},
		},
		{
			name:  "truncated with FIN",
			steps: []step{syn(0), {seq: 1, data: "ab", missing: 2, fin: true}, flush()},
			want:  "ab[2]",
			stats: Stats{Segments: 1, InOrder: 1, Gaps: 1, GapBytes: 2, Truncated: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			if cfg == (Config{}) {
				cfg = DefaultConfig()
			}
			p := mustPool(t, cfg)
			var s [2]Stream
			var got [2]recorder
			for _, st := range tt.steps {
				d := st.dir
				switch {
				case st.flush:
					s[d].Flush(p, &got[d])
				case st.release:
					s[d].Release(p)
				case st.ack:
					s[d].Ack(p, st.seq, &got[d])
				case st.missing != 0:
					s[d].AddTruncated(p, st.seq, st.syn, st.fin, []byte(st.data), st.missing, &got[d])
				default:
					s[d].Add(p, st.seq, st.syn, st.fin, []byte(st.data), &got[d])
				}
				if t.Failed() {
					return
				}
				checkInvariants(t, p, &s[0], &s[1])
			}
			if diff := cmp.Diff(tt.want, got[0].String()); diff != "" {
				t.Errorf("stream 0 (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want1, got[1].String()); diff != "" {
				t.Errorf("stream 1 (-want +got):\n%s", diff)
			}
			// What is still buffered is accounted for; release it all.
			st := p.Stats()
			st.Buffered = 0
			if diff := cmp.Diff(tt.stats, st); diff != "" {
				t.Errorf("stats (-want +got):\n%s", diff)
			}
			s[0].Release(p)
			s[1].Release(p)
			if b := p.Stats().Buffered; b != 0 {
				t.Errorf("after Release the pool holds %d bytes", b)
			}
		})
	}
}

// TestInOrderZeroCopy checks that in-order data is handed over straight
// from the packet, and allocates nothing.
func TestInOrderZeroCopy(t *testing.T) {
	p := mustPool(t, DefaultConfig())
	var s Stream
	pkt := []byte("0123456789")
	var seen *byte
	h := handlerFunc(func(d []byte) { seen = &d[0] })
	s.Add(p, 0, true, false, nil, h)
	s.Add(p, 1, false, false, pkt, h)
	if seen != &pkt[0] {
		t.Fatal("in-order data was copied")
	}
	seq := uint32(11)
	allocs := testing.AllocsPerRun(1000, func() {
		s.Add(p, seq, false, false, pkt, h)
		seq += uint32(len(pkt))
	})
	if allocs != 0 {
		t.Errorf("in-order Add allocates %v times per segment", allocs)
	}
}

// TestReorderSteadyStateAllocs checks that once the pool's free lists are
// warm, buffering and delivering out-of-order data allocates nothing.
func TestReorderSteadyStateAllocs(t *testing.T) {
	p := mustPool(t, DefaultConfig())
	var s [4]Stream
	pkt := make([]byte, 1460)
	var h discard
	seq := [4]uint32{}
	round := func() {
		for i := range s {
			// Three segments arrive in the order 2, 3, 1.
			s[i].Add(p, seq[i]+1460, false, false, pkt, &h)
			s[i].Add(p, seq[i]+2920, false, false, pkt, &h)
			s[i].Add(p, seq[i], false, false, pkt, &h)
			seq[i] += 3 * 1460
		}
	}
	for i := range s {
		s[i].Add(p, 0, true, false, nil, &h)
		seq[i] = 1
	}
	round()
	if allocs := testing.AllocsPerRun(200, round); allocs != 0 {
		t.Errorf("reordered Add allocates %v times per round once warm", allocs)
	}
	if h.gaps != 0 || p.Stats().Buffered != 0 {
		t.Errorf("gaps %d, buffered %d; want none", h.gaps, p.Stats().Buffered)
	}
}

type handlerFunc func([]byte)

func (f handlerFunc) Data(d []byte) { f(d) }
func (f handlerFunc) Gap(int)       {}

// TestStreamSize keeps Stream small: it lives in every flow's DPI state,
// twice.
func TestStreamSize(t *testing.T) {
	if n := unsafe.Sizeof(Stream{}); n > 24 {
		t.Errorf("Stream is %d bytes; keep it at most 24", n)
	}
}

func TestConfigValidate(t *testing.T) {
	def := DefaultConfig()
	tests := []struct {
		name string
		mod  func(*Config)
		want string // substring of the error; "" for none
	}{
		{"default", func(*Config) {}, ""},
		{"smallest", func(c *Config) { *c = Config{1, 1, 1} }, ""},
		{"per-stream zero", func(c *Config) { c.MaxBufferedPerStream = 0 }, "reassembly.max_buffered_per_stream: 0 is out of range"},
		{"per-stream huge", func(c *Config) { c.MaxBufferedPerStream = 1 << 30 }, "reassembly.max_buffered_per_stream"},
		{"segments zero", func(c *Config) { c.MaxSegmentsPerStream = 0 }, "reassembly.max_segments_per_stream: 0 is out of range; set 1 to 4096"},
		{"total under per-stream", func(c *Config) { c.MaxBufferedTotal = 1000 }, "reassembly.max_buffered_total: 1000 must be at least max_buffered_per_stream (65536)"},
		{"all wrong", func(c *Config) { *c = Config{} }, "max_segments_per_stream"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := def
			tt.mod(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() = %v; want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate() = %v; want an error containing %q", err, tt.want)
			}
			if _, nerr := NewPool(c); (nerr == nil) != (err == nil) {
				t.Errorf("NewPool error %v, Validate error %v", nerr, err)
			}
		})
	}
}
