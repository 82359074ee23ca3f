package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ZeekConn is one conn.log row (the fields used here). Counts are pointers
// because zeek-cut subsets leave them out.
type ZeekConn struct {
	OrigH       string  `json:"id.orig_h"`
	OrigP       uint16  `json:"id.orig_p"`
	RespH       string  `json:"id.resp_h"`
	RespP       uint16  `json:"id.resp_p"`
	Proto       string  `json:"proto"`
	History     *string `json:"history"`
	OrigPkts    *uint64 `json:"orig_pkts"`
	OrigIPBytes *uint64 `json:"orig_ip_bytes"`
	RespPkts    *uint64 `json:"resp_pkts"`
	RespIPBytes *uint64 `json:"resp_ip_bytes"`
}

// ZeekTrace is a trace with a conn.log baseline that has packet and IP
// byte counts.
type ZeekTrace struct {
	Trace    string // path under Zeek's Traces/
	Pcap     string // path relative to the corpus
	Bare     bool   // the baseline comes from a zeek -b run
	Command  string
	Caveats  []string
	Rows     []ZeekConn
	ConnFile string
}

type zeekIndex struct {
	Traces map[string]struct {
		Pcap string `json:"pcap"`
		Logs map[string]struct {
			File     string            `json:"file"`
			Schema   map[string]string `json:"schema"`
			Command  string            `json:"command"`
			BareMode bool              `json:"bare_mode"`
			Caveats  []string          `json:"caveats"`
		} `json:"logs"`
	} `json:"traces"`
}

// LoadZeek reads truth/zeek/index.json and the conn.log rows of every
// trace whose baseline has the four count columns (zeek-cut subsets
// without them are left out). Bare-mode runs are kept: conn.log's packet
// and IP byte counts come from Zeek's core (the ConnSize analyzer), which
// runs with -b too; only service and script-filled fields depend on the
// scripts a test loads. Traces are returned sorted by path.
func LoadZeek(corpus string) ([]ZeekTrace, error) {
	path := filepath.Join(corpus, "truth", "zeek", "index.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var idx zeekIndex
	if err := json.Unmarshal(b, &idx); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []ZeekTrace
	for name, t := range idx.Traces {
		c, ok := t.Logs["conn"]
		if !ok {
			continue
		}
		if !hasAll(c.Schema, "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes", "id.orig_h", "id.resp_h", "proto") {
			continue
		}
		zt := ZeekTrace{Trace: name, Pcap: t.Pcap, Bare: c.BareMode, Command: c.Command, Caveats: c.Caveats, ConnFile: c.File}
		if zt.Rows, err = readConn(filepath.Join(corpus, c.File)); err != nil {
			return nil, err
		}
		out = append(out, zt)
	}
	slices.SortFunc(out, func(a, b ZeekTrace) int { return strings.Compare(a.Trace, b.Trace) })
	return out, nil
}

func hasAll(schema map[string]string, names ...string) bool {
	for _, n := range names {
		if _, ok := schema[n]; !ok {
			return false
		}
	}
	return true
}

func readConn(path string) ([]ZeekConn, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = fh.Close() }()
	var rows []ZeekConn
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		var r ZeekConn
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		if r.OrigPkts == nil || r.RespPkts == nil || r.OrigIPBytes == nil || r.RespIPBytes == nil {
			continue // no counts in this row
		}
		rows = append(rows, r)
	}
	return rows, sc.Err()
}

// zeekTransport maps a flowsift transport to Zeek's conn.log proto: Zeek
// writes icmp for ICMPv6 too, and unknown_transport for other protocols.
func zeekTransport(t string) string {
	switch t {
	case "tcp", "udp", "icmp":
		return t
	case "ipv6-icmp":
		return "icmp"
	}
	return "unknown_transport"
}

// key returns the row's matching key. ICMP rows carry the type and code in
// the port columns; flowsift keeps them apart, so ICMP joins on addresses.
func (c *ZeekConn) key() (Key, error) {
	o, err := netip.ParseAddr(c.OrigH)
	if err != nil {
		return Key{}, err
	}
	r, err := netip.ParseAddr(c.RespH)
	if err != nil {
		return Key{}, err
	}
	op, rp := c.OrigP, c.RespP
	if c.Proto != "tcp" && c.Proto != "udp" {
		op, rp = 0, 0
	}
	return MakeKey(c.Proto, netip.AddrPortFrom(o, op), netip.AddrPortFrom(r, rp), 0), nil
}

func flowZeekKey(f *Flow) Key {
	t := zeekTransport(f.Transport)
	sp, dp := f.SrcPort, f.DstPort
	if t != "tcp" && t != "udp" {
		sp, dp = 0, 0
	}
	return MakeKey(t, netip.AddrPortFrom(f.Src, sp), netip.AddrPortFrom(f.Dst, dp), 0)
}

// oriented returns the flow's counts from Zeek's originator's side.
func (c *ZeekConn) oriented(f *Flow) (op, ob, rp, rb uint64) {
	o, _ := netip.ParseAddr(c.OrigH)
	o = o.Unmap()
	origIsSrc := o == f.Src && (o != f.Dst || c.OrigP == f.SrcPort)
	if origIsSrc {
		return f.SrcPkts, f.SrcBytes, f.DstPkts, f.DstBytes
	}
	return f.DstPkts, f.DstBytes, f.SrcPkts, f.SrcBytes
}

func (c *ZeekConn) agrees(f *Flow) bool {
	op, ob, rp, rb := c.oriented(f)
	return op == *c.OrigPkts && ob == *c.OrigIPBytes && rp == *c.RespPkts && rb == *c.RespIPBytes
}

// ZeekResult is the comparison with Zeek's conn.log rows.
type ZeekResult struct {
	Rows, Matched         int
	FullRows, FullMatched int // rows of full (non -b) runs
	Traces                int
	Disagreements         []Disagreement
	ClassCounts           map[string]int
}

// Percent returns the matched rows as a percentage.
func (r *ZeekResult) Percent() float64 { return percent(r.Matched, r.Rows) }

// CompareZeek compares one trace's conn.log rows with flowsift's flows.
// Flows are joined across VLANs, as Zeek's default connection key ignores
// them.
func CompareZeek(t *ZeekTrace, flows []Flow, r *ZeekResult) error {
	byKey := make(map[Key][]int)
	for j := range flows {
		k := flowZeekKey(&flows[j])
		byKey[k] = append(byKey[k], j)
	}
	wantByKey := make(map[Key][]int)
	var order []Key
	for i := range t.Rows {
		k, err := t.Rows[i].key()
		if err != nil {
			return fmt.Errorf("%s: %w", t.ConnFile, err)
		}
		if _, ok := wantByKey[k]; !ok {
			order = append(order, k)
		}
		wantByKey[k] = append(wantByKey[k], i)
	}
	for _, k := range order {
		want, got := wantByKey[k], byKey[k]
		pick, ok := Assign(len(want), len(got), func(i, j int) bool {
			return t.Rows[want[i]].agrees(&flows[got[j]])
		})
		for i, w := range want {
			c := &t.Rows[w]
			r.Rows++
			if !t.Bare {
				r.FullRows++
			}
			if ok[i] {
				r.Matched++
				if !t.Bare {
					r.FullMatched++
				}
				continue
			}
			tuple := fmt.Sprintf("%s %s -> %s", c.Proto, hostPort(mustAddr(c.OrigH), c.OrigP), hostPort(mustAddr(c.RespH), c.RespP))
			if c.History != nil {
				tuple += " history " + *c.History
			}
			d := Disagreement{Pcap: t.Trace, Tuple: tuple,
				Want: fmt.Sprintf("orig %d pkts/%d B, resp %d pkts/%d B", *c.OrigPkts, *c.OrigIPBytes, *c.RespPkts, *c.RespIPBytes)}
			if t.Bare {
				d.Pcap += " (-b)"
			}
			var wantPkts, gotPkts uint64 = *c.OrigPkts + *c.RespPkts, 0
			if pick[i] >= 0 {
				f := &flows[got[pick[i]]]
				op, ob, rp, rb := c.oriented(f)
				gotPkts = op + rp
				d.Got = fmt.Sprintf("orig %d pkts/%d B, resp %d pkts/%d B", op, ob, rp, rb)
				if len(got) != len(want) {
					d.Got += fmt.Sprintf(" (flowsift %d flows, Zeek %d rows)", len(got), len(want))
				}
			} else {
				d.Got = "none"
			}
			switch {
			case pick[i] < 0 || len(got) != len(want):
				d.Class = classify(len(want), len(got), wantPkts, gotPkts, pick[i] >= 0)
			default:
				op, _, rp, _ := c.oriented(&flows[got[pick[i]]])
				if op == *c.OrigPkts && rp == *c.RespPkts {
					d.Class = ClassBytes
				} else {
					d.Class = ClassPackets
				}
			}
			r.Disagreements = append(r.Disagreements, d)
		}
	}
	r.Traces++
	return nil
}

func mustAddr(s string) netip.Addr {
	a, _ := netip.ParseAddr(s)
	return a
}
