package testutil

import (
	"fmt"
	"testing"
)

// Tally counts per-field agreement with a reference (Zeek, nDPI), in the
// order fields are first checked.
type Tally struct {
	names  []string
	fields map[string]*[2]int // ok, n
	misses []string
}

// NewTally returns an empty tally.
func NewTally() *Tally { return &Tally{fields: map[string]*[2]int{}} }

// Check counts one comparison of field and records a miss at where.
func (t *Tally) Check(where, field, want, got string) {
	s := t.fields[field]
	if s == nil {
		s = &[2]int{}
		t.fields[field] = s
		t.names = append(t.names, field)
	}
	s[1]++
	if want == got {
		s[0]++
		return
	}
	t.misses = append(t.misses, fmt.Sprintf("%s %s: want %q got %q", where, field, want, got))
}

// Report logs the misses and per-field figures and fails under min percent
// over all compared fields.
func (t *Tally) Report(tb testing.TB, peer string, min float64) {
	tb.Helper()
	for _, m := range t.misses {
		tb.Log(m)
	}
	var ok, n int
	for _, name := range t.names {
		s := t.fields[name]
		ok, n = ok+s[0], n+s[1]
		tb.Logf("%s agreement %-16s %6.2f%% (%d/%d)", peer, name, Pct(s[0], s[1]), s[0], s[1])
	}
	tb.Logf("%s agreement %-16s %6.2f%% (%d/%d)", peer, "all fields", Pct(ok, n), ok, n)
	if n == 0 {
		tb.Errorf("%s: nothing compared", peer)
	} else if Pct(ok, n) < min {
		tb.Errorf("%s agreement %.2f%% is under %.0f%%", peer, Pct(ok, n), min)
	}
}

// Pct is ok out of n in percent; nothing out of nothing is 100.
func Pct(ok, n int) float64 {
	if n == 0 {
		return 100
	}
	return 100 * float64(ok) / float64(n)
}
