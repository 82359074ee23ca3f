package testutil

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

var corpus struct {
	once sync.Once
	dir  string
	err  error
}

// CorpusDir returns the evaluation corpus, ../shared/corpus next to the
// repository root, as a path relative to the test's directory. It skips
// the test under -short or when the corpus is absent.
func CorpusDir(tb testing.TB) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("corpus evaluation skipped in -short mode")
	}
	corpus.once.Do(func() { corpus.dir, corpus.err = findCorpus() })
	if corpus.err != nil {
		tb.Skipf("corpus absent: %v", corpus.err)
	}
	return corpus.dir
}

func findCorpus() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	root := wd
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			return "", fmt.Errorf("go.mod not found above %s", wd)
		}
		root = parent
	}
	dir := filepath.Join(filepath.Dir(root), "shared", "corpus")
	if _, err := os.Stat(dir); err != nil {
		return "", err
	}
	if rel, err := filepath.Rel(wd, dir); err == nil {
		dir = rel
	}
	return dir, nil
}

// ReadJSONL reads one JSON object per line; a missing file gives nil.
func ReadJSONL(tb testing.TB, path string) []map[string]any {
	tb.Helper()
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
			tb.Fatal(err)
		}
		rows = append(rows, m)
	}
	return rows
}

// Str renders a JSON value as Zeek's TSV would: integers without a
// fraction, null as "".
func Str(v any) string {
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

// Strs renders a JSON array of strings (or a single value) as a slice.
func Strs(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, Str(e))
		}
		return out
	}
	return []string{Str(v)}
}

// TupleKey builds the flow key of a pair of endpoints given as JSON
// values (address strings, numeric ports).
func TupleKey(l4, ah string, ap any, bh string, bp any) FlowKey {
	a, _ := netip.ParseAddr(ah)
	b, _ := netip.ParseAddr(bh)
	var pa, pb uint16
	fmt.Sscan(Str(ap), &pa)
	fmt.Sscan(Str(bp), &pb)
	x, y := Endpoint{a.Unmap(), pa}, Endpoint{b.Unmap(), pb}
	if y.Less(x) {
		x, y = y, x
	}
	return FlowKey{L4: l4, A: x, B: y}
}

// ZeekKey builds the flow key of a Zeek log row (id.orig_h …).
func ZeekKey(l4 string, r map[string]any) FlowKey {
	return TupleKey(l4, Str(r["id.orig_h"]), r["id.orig_p"], Str(r["id.resp_h"]), r["id.resp_p"])
}

// ZeekTraces lists, sorted, the traces under truth/zeek of the corpus
// that have a log of the given name (conn, ssh, …).
func ZeekTraces(tb testing.TB, log string) []string {
	tb.Helper()
	root := filepath.Join(CorpusDir(tb), "truth/zeek")
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

// NDPIRow is one flow of the corpus's truth/ndpi-flows.jsonl.
type NDPIRow struct {
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

// Key is the row's flow key.
func (r NDPIRow) Key() FlowKey { return TupleKey(r.L4, r.Src, r.Sport, r.Dst, r.Dport) }

// NDPIRows returns the DPI-confidence flows whose app or master is app.
func NDPIRows(tb testing.TB, app string) []NDPIRow {
	tb.Helper()
	f, err := os.Open(filepath.Join(CorpusDir(tb), "truth/ndpi-flows.jsonl"))
	if err != nil {
		tb.Skipf("corpus absent: %v", err)
	}
	defer f.Close()
	var out []NDPIRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		var r NDPIRow
		if json.Unmarshal(sc.Bytes(), &r) != nil {
			continue
		}
		if (r.App == app || r.Master == app) && len(r.Conf) >= 3 && r.Conf[:3] == "DPI" {
			out = append(out, r)
		}
	}
	return out
}
