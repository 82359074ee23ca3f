package reassembly

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flowsift/flowsift/internal/testutil"
)

// corpusCaptures are TCP captures of the corpus with retransmissions,
// reordering, overlaps that differ, capture loss, limit drops or sequence
// numbers out of any window, plus plain HTTP, TLS, SSH and SMTP sessions.
// FLOWSIFT_REASSEMBLY_ALL=1 walks every capture instead (about 450 with
// TCP, half a minute).
var corpusCaptures = []string{
	"ndpi/1kxun.pcap",                     // reordering; a limit drop
	"ndpi/bittorrent.pcap",                // capture loss in bulk transfers: limit drops
	"ndpi/heuristic_tcp_ack_payload.pcap", // overlaps that differ
	"ndpi/instagram.pcap",                 // reordering, capture loss
	"ndpi/netflix.pcap",                   // heavy reordering and loss
	"ndpi/quickplay.pcap",                 // capture loss
	"ndpi/reasm_crash_anon.pcapng",        // overlaps that differ, a segment out of window
	"ndpi/reasm_segv_anon.pcapng",         // retransmissions over reordered data
	"ndpi/smtp-starttls.pcap",             // a hole at the start
	"ndpi/tls-appdata.pcap",               // loss in a TLS transfer
	"ndpi/tls_missing_ch_frag.pcap",       // a ClientHello segment never captured
	"zeek/ftp/bigtransfer.pcap",           // holes of hundreds of MB, out-of-window segments
	"zeek/ftp/cwd-navigation.pcap",        // loss on a slow control connection: long waits
	"zeek/http/concurrent-range-requests.pcap",
	"zeek/http/get.pcap",
	"zeek/http/m57-long-49583-80.pcap", // many retransmissions
	"zeek/modbus/fuzz-72.pcap",         // fuzzed sequence numbers
	"zeek/rdp/rdp-proprietary-encryption.pcap",
	"zeek/smtp.pcap",
	"zeek/smtp/smtp-bdat-gap.pcap", // a hole in a BDAT chunk
	"zeek/ssh/ssh.server-side-half-duplex.pcap",
	"zeek/tls/google-duplicate.pcap",
	"zeek/wikipedia.pcap",
}

// model is an independent, unbounded reference for one direction: the
// bytes of every segment in capture order, the first copy of each offset
// kept, offsets counted from the SYN's sequence number plus one, or else
// from the first segment with payload.
type model struct {
	started bool
	base    uint32
	data    []byte
	set     []bool
	bad     string // why the direction cannot be modelled
}

// maxModel bounds the span of a modelled direction.
const maxModel = 64 << 20

func (m *model) add(seq uint32, syn bool, payload []byte) {
	if syn {
		if !m.started {
			m.base, m.started = seq+1, true
		}
		seq++
	}
	if len(payload) == 0 {
		return
	}
	if !m.started {
		m.base, m.started = seq, true
	}
	off := int64(int32(seq - m.base))
	end := off + int64(len(payload))
	if end <= 0 {
		return
	}
	if end > maxModel {
		m.bad = fmt.Sprintf("a segment ends %d bytes into the stream", end)
		return
	}
	if int(end) > len(m.data) {
		m.data = append(m.data, make([]byte, int(end)-len(m.data))...)
		m.set = append(m.set, make([]bool, int(end)-len(m.set))...)
	}
	for i, b := range payload {
		if x := off + int64(i); x >= 0 && !m.set[x] {
			m.data[x], m.set[x] = b, true
		}
	}
}

// capture is a Handler that compares a direction, as it is delivered,
// with the model: each delivered byte must be the first copy the model
// saw for its offset (the model has seen every segment the stream has).
// Gaps are kept to be checked once the model is complete.
type capture struct {
	m        *model
	pos      int
	gaps     [][2]int // offset, length
	mismatch string   // the first delivered byte that differs
}

func (c *capture) Data(d []byte) {
	for i, b := range d {
		x := c.pos + i
		switch {
		case c.mismatch != "":
		case x >= len(c.m.data) || !c.m.set[x]:
			c.mismatch = fmt.Sprintf("byte %d delivered, but no segment carried it", x)
		case b != c.m.data[x]:
			c.mismatch = fmt.Sprintf("byte %d is %#x; the first copy was %#x", x, b, c.m.data[x])
		}
	}
	c.pos += len(d)
}

func (c *capture) Gap(n int) {
	c.gaps = append(c.gaps, [2]int{c.pos, n})
	c.pos += n
}

type corpusTotals struct {
	files, flows, dirs int
	exact              int // directions whose gaps are exactly the model's holes
	early              int // directions where a limit or an ACK declared a gap early
	refuted            int // of those, directions where bytes of such a gap came later
	// wait is the most segments of one direction that arrived while the
	// stream held data behind a hole, and where.
	wait      int
	waitWhere string
	Stats
}

// TestCorpus feeds both directions of every TCP connection of real
// captures through Streams and compares each with the model, once with
// the segments alone and once also passing each segment's ACK to the
// other direction's Stream.
func TestCorpus(t *testing.T) {
	root := filepath.Join(testutil.CorpusDir(t), "pcap")
	var files []string
	if os.Getenv("FLOWSIFT_REASSEMBLY_ALL") != "" {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".pcap") || strings.HasSuffix(p, ".pcapng")) {
				rel, _ := filepath.Rel(root, p)
				files = append(files, rel)
			}
			return nil
		})
	} else {
		files = corpusCaptures
	}
	slices.Sort(files)
	captures := map[string][]*testutil.Flow{}
	for _, name := range files {
		flows, err := testutil.ReadFlows(filepath.Join(root, name))
		if err != nil {
			t.Logf("%s: %v", name, err)
			continue
		}
		captures[name] = flows
	}
	for _, acks := range []bool{false, true} {
		t.Run(fmt.Sprintf("acks=%v", acks), func(t *testing.T) {
			var tot corpusTotals
			for _, name := range files {
				if flows := captures[name]; flows != nil {
					replayCapture(t, name, flows, acks, &tot)
				}
			}
			if tot.files == 0 {
				t.Skip("no TCP captures in the corpus")
			}
			t.Logf("%d captures, %d TCP flows, %d directions: %d compared exactly, %d with a gap declared early (%d of them before bytes that came later)",
				tot.files, tot.flows, tot.dirs, tot.exact, tot.early, tot.refuted)
			t.Logf("segments %d: in order %d, out of order %d, retransmitted %d (%d bytes), out of window %d; overlaps that differ %d; gaps %d (%d bytes); limit drops %d; ACK gaps %d; peak buffered %d",
				tot.Segments, tot.InOrder, tot.OutOfOrder, tot.Retransmitted, tot.RetransmittedBytes, tot.OutOfWindow,
				tot.Overlaps, tot.Gaps, tot.GapBytes, tot.LimitDrops, tot.AckGaps, tot.PeakBuffered)
			t.Logf("longest wait behind a hole: %d segments (%s)", tot.wait, tot.waitWhere)
		})
	}
}

// replayCapture replays the TCP flows of one capture through Streams
// sharing one Pool, compares each direction with its model and adds the
// counts to tot.
func replayCapture(t *testing.T, name string, flows []*testutil.Flow, acks bool, tot *corpusTotals) {
	t.Helper()
	p := mustPool(t, DefaultConfig())
	var fileTot corpusTotals
	for _, f := range flows {
		if f.Key.L4 != "TCP" || len(f.Segs[0])+len(f.Segs[1]) == 0 {
			continue
		}
		fileTot.flows++
		var s [2]Stream
		var m [2]model
		got := [2]capture{{m: &m[0]}, {m: &m[1]}}
		var early [2]bool
		var wait [2]int
		for _, pk := range f.Pkts {
			d := pk.Side
			if od := 1 - d; acks && pk.HasAck {
				before := p.Stats().AckGaps
				s[od].Ack(p, pk.Ack, &got[od])
				early[od] = early[od] || p.Stats().AckGaps != before
			}
			syn := f.Syn[d] && pk.Seq == f.ISN[d]
			m[d].add(pk.Seq, syn, pk.Data)
			before := p.Stats().LimitDrops
			s[d].Add(p, pk.Seq, syn, false, pk.Data, &got[d])
			early[d] = early[d] || p.Stats().LimitDrops != before
			if s[d].buf == nil {
				wait[d] = 0
			} else if wait[d]++; wait[d] > fileTot.wait {
				fileTot.wait, fileTot.waitWhere = wait[d], fmt.Sprintf("%s %s side %d", name, f.Key, d)
			}
		}
		for d := range 2 {
			s[d].Flush(p, &got[d])
			if len(m[d].set) == 0 {
				continue
			}
			fileTot.dirs++
			where := fmt.Sprintf("%s %s side %d", name, f.Key, d)
			if m[d].bad != "" {
				t.Logf("%s: not compared: %s", where, m[d].bad)
				continue
			}
			late := compareDirection(t, where, &m[d], &got[d], early[d])
			switch {
			case !early[d]:
				fileTot.exact++
			case late > 0:
				fileTot.early++
				fileTot.refuted++
				t.Logf("%s: %d bytes came after a gap declared early covered them", where, late)
			default:
				fileTot.early++
			}
		}
	}
	if fileTot.flows == 0 {
		return
	}
	st := p.Stats()
	if st.Buffered != 0 {
		t.Errorf("%s: %d bytes still buffered after Flush", name, st.Buffered)
	}
	if st.OutOfOrder+st.Retransmitted+st.Overlaps+st.Gaps+st.LimitDrops+st.OutOfWindow > 0 {
		t.Logf("%-45s flows %3d segments %5d out-of-order %4d retransmitted %3d (%d bytes) overlaps %d gaps %d (%d bytes) limit drops %d ACK gaps %d out of window %d peak %d longest wait %d",
			name, fileTot.flows, st.Segments, st.OutOfOrder, st.Retransmitted, st.RetransmittedBytes,
			st.Overlaps, st.Gaps, st.GapBytes, st.LimitDrops, st.AckGaps, st.OutOfWindow, st.PeakBuffered, fileTot.wait)
	}
	tot.files++
	tot.flows += fileTot.flows
	tot.dirs += fileTot.dirs
	tot.exact += fileTot.exact
	tot.early += fileTot.early
	tot.refuted += fileTot.refuted
	if fileTot.wait > tot.wait {
		tot.wait, tot.waitWhere = fileTot.wait, fileTot.waitWhere
	}
	tot.add(st)
}

func (t *corpusTotals) add(s Stats) {
	t.Segments += s.Segments
	t.InOrder += s.InOrder
	t.OutOfOrder += s.OutOfOrder
	t.Retransmitted += s.Retransmitted
	t.OutOfWindow += s.OutOfWindow
	t.RetransmittedBytes += s.RetransmittedBytes
	t.Overlaps += s.Overlaps
	t.Gaps += s.Gaps
	t.GapBytes += s.GapBytes
	t.LimitDrops += s.LimitDrops
	t.AckGaps += s.AckGaps
	t.PeakBuffered = max(t.PeakBuffered, s.PeakBuffered)
}

// compareDirection checks a delivered direction against the complete
// model: the same length (delivered plus gap bytes), and every delivered
// byte the model's. It returns how many bytes the model has inside the
// gaps: bytes that came after a gap covered them, which is an error unless
// a gap was declared early (a limit or an ACK).
func compareDirection(tb testing.TB, where string, m *model, got *capture, early bool) (late int) {
	tb.Helper()
	if got.mismatch != "" {
		tb.Errorf("%s: %s", where, got.mismatch)
	}
	if got.pos != len(m.data) {
		tb.Errorf("%s: %d bytes delivered or declared missing; the model has %d", where, got.pos, len(m.data))
		return 0
	}
	for _, g := range got.gaps {
		for x := g[0]; x < g[0]+g[1]; x++ {
			if m.set[x] {
				late++
			}
		}
	}
	if late > 0 && !early {
		tb.Errorf("%s: %d bytes declared missing, but segments carried them", where, late)
	}
	return late
}
