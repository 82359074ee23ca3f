package testutil

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
)

// AddrPair is an unordered 4-tuple: Zeek rows and nDPI flows join on it.
type AddrPair struct{ A, B netip.AddrPort }

// PairOf returns the unordered key of a packet's endpoints.
func PairOf(src netip.Addr, sp uint16, dst netip.Addr, dp uint16) AddrPair {
	x, y := netip.AddrPortFrom(src, sp), netip.AddrPortFrom(dst, dp)
	if y.Compare(x) < 0 {
		x, y = y, x
	}
	return AddrPair{x, y}
}

// TCPDir reassembles one TCP direction in order by sequence number: only
// in-order bytes are kept (retransmissions are trimmed, data after a gap
// waits until the gap fills, and is dropped at the end). Out holds the
// stream.
type TCPDir struct {
	next    uint32
	started bool
	held    map[uint32][]byte
	Out     []byte
}

// Add takes one segment.
func (d *TCPDir) Add(seq uint32, syn bool, payload []byte) {
	if syn {
		d.next, d.started = seq+1, true
	}
	if len(payload) == 0 {
		return
	}
	if !d.started {
		d.next, d.started = seq, true
	}
	if d.held == nil {
		d.held = map[uint32][]byte{}
	}
	d.held[seq] = append([]byte(nil), payload...)
	for progress := true; progress; {
		progress = false
		for s, p := range d.held {
			off := int32(d.next - s) //nolint:gosec // sequence arithmetic wraps on purpose
			if off < 0 {
				continue
			}
			delete(d.held, s)
			if int(off) < len(p) {
				d.Out = append(d.Out, p[off:]...)
				d.next += uint32(len(p) - int(off)) //nolint:gosec // segment sizes fit
			}
			progress = true
		}
	}
}

// ZeekIndex is truth/zeek/index.json: each trace's capture and logs,
// paths relative to the corpus.
type ZeekIndex struct {
	Traces map[string]struct {
		PCAP string `json:"pcap"`
		Logs map[string]struct {
			File string `json:"file"`
		} `json:"logs"`
	} `json:"traces"`
}

// LoadZeekIndex reads corpus/truth/zeek/index.json; the test is skipped
// when the corpus is absent.
func LoadZeekIndex(tb testing.TB, corpus string) ZeekIndex {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(corpus, "truth/zeek/index.json"))
	if err != nil {
		tb.Skipf("corpus absent: %v", err)
	}
	var idx ZeekIndex
	if err := json.Unmarshal(b, &idx); err != nil {
		tb.Fatal(err)
	}
	return idx
}

// MustReadJSONL is ReadJSONL for a file that must exist.
func MustReadJSONL(tb testing.TB, path string) []map[string]any {
	tb.Helper()
	if _, err := os.Stat(path); err != nil {
		tb.Fatal(err)
	}
	return ReadJSONL(tb, path)
}

// Score accumulates per-field agreement of any JSON values (compared with
// reflect.DeepEqual) and keeps every difference for the log.
type Score struct {
	eq, n map[string]int
	diffs []string
}

// Add counts one comparison of field in trace.
func (s *Score) Add(trace, field string, want, got any) {
	if s.n == nil {
		s.eq, s.n = map[string]int{}, map[string]int{}
	}
	s.n[field]++
	if reflect.DeepEqual(want, got) {
		s.eq[field]++
		return
	}
	s.diffs = append(s.diffs, fmt.Sprintf("%s %s: zeek %v, flowsift %v", trace, field, want, got))
}

// Report logs the differences and each field's agreement, and fails the
// test for a field under bar percent unless knownGaps names it (then the
// gap is logged).
func (s *Score) Report(tb testing.TB, bar float64, knownGaps map[string]bool) {
	tb.Helper()
	fields := make([]string, 0, len(s.n))
	for f := range s.n {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	for _, d := range s.diffs {
		tb.Log("diff: " + d)
	}
	for _, f := range fields {
		pct := 100 * float64(s.eq[f]) / float64(s.n[f])
		tb.Logf("%-18s %4d/%4d  %6.2f%%", f, s.eq[f], s.n[f], pct)
		if pct < bar && knownGaps[f] {
			tb.Logf("KNOWN GAP: %s agreement %.2f%% under %.0f%% (see the test's comment)", f, pct, bar)
			continue
		}
		if pct < bar {
			tb.Errorf("%s agreement %.2f%% under %.0f%%", f, pct, bar)
		}
	}
}
