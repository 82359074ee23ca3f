package ntp

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// This file holds the truth-reading helpers of the corpus evaluations (the
// same in every dissect/<proto> package that has one).

const corpusDir = "../../../../shared/corpus"

// readJSONL reads one JSON object per line; a missing file gives nil.
func readJSONL(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var rows []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, m)
	}
	return rows
}

// str renders a JSON value as Zeek's TSV would: integers without a
// fraction, null as "".
func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case float64:
		if x == float64(int64(x)) {
			return fmt.Sprintf("%d", int64(x))
		}
		return fmt.Sprint(x)
	}
	return fmt.Sprint(v)
}

// tupleKey builds the flow key of a Zeek row (id.orig_h …) or any pair of
// endpoints.
func tupleKey(l4, ah string, ap any, bh string, bp any) flowKey {
	a, _ := netip.ParseAddr(ah)
	b, _ := netip.ParseAddr(bh)
	var pa, pb uint16
	fmt.Sscan(str(ap), &pa)
	fmt.Sscan(str(bp), &pb)
	x, y := endpoint{a.Unmap(), pa}, endpoint{b.Unmap(), pb}
	if y.less(x) {
		x, y = y, x
	}
	return flowKey{l4: l4, a: x, b: y}
}

// zeekTraces lists the traces that have a log of the given name.
func zeekTraces(t *testing.T, log string) []string {
	t.Helper()
	root := filepath.Join(corpusDir, "truth/zeek")
	var out []string
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == log+".jsonl" {
			rel, _ := filepath.Rel(root, filepath.Dir(p))
			out = append(out, rel)
		}
		return nil
	})
	slices.Sort(out)
	return out
}

// tally counts per-field agreement.
type tally struct {
	names  []string
	fields map[string]*[2]int // ok, n
	misses []string
}

func newTally() *tally { return &tally{fields: map[string]*[2]int{}} }

func (t *tally) check(where, field, want, got string) {
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

// report logs the misses and per-field figures and fails under min percent
// over all compared fields.
func (t *tally) report(tb testing.TB, peer string, min float64) {
	tb.Helper()
	for _, m := range t.misses {
		tb.Log(m)
	}
	var ok, n int
	for _, name := range t.names {
		s := t.fields[name]
		ok, n = ok+s[0], n+s[1]
		tb.Logf("%s agreement %-16s %6.2f%% (%d/%d)", peer, name, pct(s[0], s[1]), s[0], s[1])
	}
	tb.Logf("%s agreement %-16s %6.2f%% (%d/%d)", peer, "all fields", pct(ok, n), ok, n)
	if n == 0 {
		tb.Errorf("%s: nothing compared", peer)
	} else if pct(ok, n) < min {
		tb.Errorf("%s agreement %.2f%% is under %.0f%%", peer, pct(ok, n), min)
	}
}

func pct(ok, n int) float64 {
	if n == 0 {
		return 100
	}
	return 100 * float64(ok) / float64(n)
}

type ndpiRow struct {
	Pcap     string `json:"pcap"`
	L4       string `json:"l4"`
	Src      string `json:"src"`
	Sport    uint16 `json:"sport"`
	Dst      string `json:"dst"`
	Dport    uint16 `json:"dport"`
	Master   string `json:"master"`
	App      string `json:"app"`
	Conf     string `json:"confidence"`
	Hostname string `json:"hostname"`
	User     string `json:"user"`
	HASSHC   string `json:"hassh_c"`
	HASSHS   string `json:"hassh_s"`
	Server   string `json:"server_info"`
	DHCPFP   string `json:"dhcp_fingerprint"`
	DHCPVC   string `json:"dhcp_class_ident"`
	Tunnel   string `json:"tunnel"`
}

func (r ndpiRow) key() flowKey { return tupleKey(r.L4, r.Src, r.Sport, r.Dst, r.Dport) }

func zeekKey(l4 string, r map[string]any) flowKey {
	return tupleKey(l4, str(r["id.orig_h"]), r["id.orig_p"], str(r["id.resp_h"]), r["id.resp_p"])
}

// ndpiRows returns the DPI-confidence flows whose app or master is app.
func ndpiRows(t *testing.T, app string) []ndpiRow {
	t.Helper()
	f, err := os.Open(filepath.Join(corpusDir, "truth/ndpi-flows.jsonl"))
	if err != nil {
		t.Skipf("corpus absent: %v", err)
	}
	defer f.Close()
	var out []ndpiRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		var r ndpiRow
		if json.Unmarshal(sc.Bytes(), &r) != nil {
			continue
		}
		if (r.App == app || r.Master == app) && len(r.Conf) >= 3 && r.Conf[:3] == "DPI" {
			out = append(out, r)
		}
	}
	return out
}
