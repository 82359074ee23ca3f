package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
)

// NDPIFlow is one flow of truth/ndpi-flows.jsonl (the fields used here).
type NDPIFlow struct {
	Pcap    string  `json:"pcap"`
	Flow    int     `json:"flow"`
	Section string  `json:"section"`
	L4      string  `json:"l4"`
	Src     string  `json:"src"`
	Sport   uint16  `json:"sport"`
	Dst     string  `json:"dst"`
	Dport   uint16  `json:"dport"`
	VLAN    *uint16 `json:"vlan"`
	Tunnel  *string `json:"tunnel"`
	PktsC2S uint64  `json:"pkts_c2s"`
	PktsS2C uint64  `json:"pkts_s2c"`

	// Application identification (see dpi.go).
	Master     *string `json:"master"`
	App        string  `json:"app"`
	Confidence string  `json:"confidence"`
	Hostname   string  `json:"hostname"`
	JA3C       string  `json:"ja3c"`
	JA4        string  `json:"ja4"`
	HASSHC     string  `json:"hassh_c"`
}

// Packets returns the flow's packets in both directions.
func (f *NDPIFlow) Packets() uint64 { return f.PktsC2S + f.PktsS2C }

// Key returns the flow's matching key. seen reports addresses flowsift
// saw; it settles what an address nDPI printed ambiguously stands for.
func (f *NDPIFlow) Key(seen func(netip.Addr) bool) (Key, error) {
	src, err := parseNDPIAddr(f.Src, seen)
	if err != nil {
		return Key{}, fmt.Errorf("flow %d of %s: %w", f.Flow, f.Pcap, err)
	}
	dst, err := parseNDPIAddr(f.Dst, seen)
	if err != nil {
		return Key{}, fmt.Errorf("flow %d of %s: %w", f.Flow, f.Pcap, err)
	}
	var vlan uint16
	if f.VLAN != nil {
		vlan = *f.VLAN
	}
	return MakeKey(f.L4, netip.AddrPortFrom(src, f.Sport), netip.AddrPortFrom(dst, f.Dport), vlan), nil
}

// parseNDPIAddr parses an address as ndpiReader prints it. Its IPv6
// formatter sometimes compresses two runs of zero groups ("2600:1901::7a0b::"),
// which is ambiguous: every address it can stand for is tried, and the
// first one flowsift saw wins (else the first one).
func parseNDPIAddr(s string, seen func(netip.Addr) bool) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err == nil {
		return a, nil
	}
	cands := expandZeroRuns(s)
	if len(cands) == 0 {
		return netip.Addr{}, err
	}
	for _, c := range cands {
		if seen(c) {
			return c, nil
		}
	}
	return cands[0], nil
}

// expandZeroRuns returns the IPv6 addresses that s, with several "::"
// runs, may stand for.
func expandZeroRuns(s string) []netip.Addr {
	parts := strings.Split(s, ":")
	var groups []string // "" marks a zero run
	explicit := 0
	for i := 0; i < len(parts); i++ {
		p := parts[i]
		if p == "" {
			if len(groups) == 0 || groups[len(groups)-1] != "" {
				groups = append(groups, "")
			}
			continue
		}
		groups = append(groups, p)
		explicit++
	}
	runs := 0
	for _, g := range groups {
		if g == "" {
			runs++
		}
	}
	zeros := 8 - explicit
	if runs < 2 || zeros < runs {
		return nil
	}
	var out []netip.Addr
	var fill func(i, left int, acc []string)
	fill = func(i, left int, acc []string) {
		if i == len(groups) {
			if left == 0 {
				if a, err := netip.ParseAddr(strings.Join(acc, ":")); err == nil {
					out = append(out, a)
				}
			}
			return
		}
		if groups[i] != "" {
			fill(i+1, left, append(acc, groups[i]))
			return
		}
		for n := 1; n <= left; n++ {
			z := acc
			for range n {
				z = append(z, "0")
			}
			fill(i+1, left-n, z)
		}
	}
	fill(0, zeros, nil)
	return out
}

// LoadNDPI reads the TCP and UDP flows of ndpi-flows.jsonl, grouped by
// capture, each capture's flows in their file order.
func LoadNDPI(path string) (map[string][]NDPIFlow, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = fh.Close() }()
	out := make(map[string][]NDPIFlow)
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		var f NDPIFlow
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		if f.L4 != "TCP" && f.L4 != "UDP" {
			continue
		}
		out[f.Pcap] = append(out[f.Pcap], f)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// NDPIResult is the comparison with nDPI.
type NDPIResult struct {
	Flows, Matched       int
	Captures             int     // captures with at least one TCP/UDP flow
	CapturesAllMatched   int     // captures where every flow matched
	MacroPercent         float64 // mean over captures of the matched percentage
	Disagreements        []Disagreement
	ClassCounts          map[string]int
	TunnelledFlows       int // nDPI flows inside a decoded tunnel
	TunnelledFlowMatches int
}

// Percent returns the matched flows as a percentage.
func (r *NDPIResult) Percent() float64 { return percent(r.Matched, r.Flows) }

func percent(n, d int) float64 {
	if d == 0 {
		return 100
	}
	return 100 * float64(n) / float64(d)
}

// CompareNDPI compares one capture's flows with nDPI's. It returns the
// matched count and appends the disagreements to r.
func CompareNDPI(pcap string, truth []NDPIFlow, flows []Flow, r *NDPIResult, dpi *DPIResult) error {
	byKey := make(map[Key][]int)
	addrs := make(map[netip.Addr]bool)
	for j := range flows {
		addrs[flows[j].Src], addrs[flows[j].Dst] = true, true
		f := &flows[j]
		if f.Transport != "tcp" && f.Transport != "udp" {
			continue
		}
		// ndpiReader keeps the last 802.1Q tag it parses: the inner one of QinQ.
		vlan := f.VLAN
		if f.InnerVLAN != 0 {
			vlan = f.InnerVLAN
		}
		k := MakeKey(f.Transport, netip.AddrPortFrom(f.Src, f.SrcPort), netip.AddrPortFrom(f.Dst, f.DstPort), vlan)
		byKey[k] = append(byKey[k], j)
	}
	wantByKey := make(map[Key][]int)
	var order []Key
	for i := range truth {
		k, err := truth[i].Key(func(a netip.Addr) bool { return addrs[a] })
		if err != nil {
			return err
		}
		if _, ok := wantByKey[k]; !ok {
			order = append(order, k)
		}
		wantByKey[k] = append(wantByKey[k], i)
	}
	matched := 0
	for _, k := range order {
		want, got := wantByKey[k], byKey[k]
		pick, ok := Assign(len(want), len(got), func(i, j int) bool {
			return truth[want[i]].Packets() == flows[got[j]].Packets()
		})
		for i, w := range want {
			t := &truth[w]
			if dpi != nil {
				var f *Flow
				if pick[i] >= 0 {
					f = &flows[got[pick[i]]]
				}
				dpi.add(pcap, t, f)
			}
			if t.Tunnel != nil {
				r.TunnelledFlows++
			}
			if ok[i] {
				matched++
				if t.Tunnel != nil {
					r.TunnelledFlowMatches++
				}
				continue
			}
			d := Disagreement{Pcap: pcap, Tuple: k.String(),
				Want: fmt.Sprintf("flow %d: %d+%d=%d pkts (%s)", t.Flow, t.PktsC2S, t.PktsS2C, t.Packets(), t.Section)}
			var gotPkts uint64
			if pick[i] >= 0 {
				f := &flows[got[pick[i]]]
				gotPkts = f.Packets()
				d.Got = fmt.Sprintf("%d+%d=%d pkts", f.SrcPkts, f.DstPkts, gotPkts)
			} else {
				d.Got = "none"
			}
			if len(got) > 1 || len(want) > 1 {
				var all []string
				for _, j := range got {
					all = append(all, fmt.Sprint(flows[j].Packets()))
				}
				d.Got += fmt.Sprintf(" (flowsift %d flows: %s; nDPI %d)", len(got), strings.Join(all, ","), len(want))
			}
			if t.Tunnel != nil {
				d.Tuple += " in " + *t.Tunnel
			}
			d.Class = classify(len(want), len(got), t.Packets(), gotPkts, pick[i] >= 0)
			r.Disagreements = append(r.Disagreements, d)
		}
	}
	r.Flows += len(truth)
	r.Matched += matched
	r.Captures++
	if matched == len(truth) {
		r.CapturesAllMatched++
	}
	// MacroPercent is summed here and divided in finish.
	r.MacroPercent += percent(matched, len(truth))
	return nil
}

// NDPICapturePath returns the path of an nDPI capture in the corpus.
func NDPICapturePath(corpus, pcap string) string {
	return filepath.Join(corpus, "pcap", "ndpi", pcap)
}
