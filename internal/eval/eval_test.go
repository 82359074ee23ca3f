package eval

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAssign(t *testing.T) {
	tests := []struct {
		name     string
		want     []uint64 // truth packet counts, in truth order
		got      []uint64 // flowsift packet counts, in time order
		wantPick []int
		wantOK   []bool
	}{
		{"one each, equal", []uint64{5}, []uint64{5}, []int{0}, []bool{true}},
		{"one each, differ", []uint64{5}, []uint64{4}, []int{0}, []bool{false}},
		{"no flow", []uint64{5}, nil, []int{-1}, []bool{false}},
		{"matches out of order", []uint64{3, 7}, []uint64{7, 3}, []int{1, 0}, []bool{true, true}},
		{"split: the leftover truth takes the earliest unused flow", []uint64{9, 2}, []uint64{2, 4, 5}, []int{1, 0}, []bool{false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pick, ok := Assign(len(tt.want), len(tt.got), func(i, j int) bool { return tt.want[i] == tt.got[j] })
			if diff := cmp.Diff(tt.wantPick, pick); diff != "" {
				t.Errorf("pick (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantOK, ok); diff != "" {
				t.Errorf("ok (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseNDPIAddr(t *testing.T) {
	seen := netip.MustParseAddr("2600:1901:0:7a0b::")
	got, err := parseNDPIAddr("2600:1901::7a0b::", func(a netip.Addr) bool { return a == seen })
	if err != nil || got != seen {
		t.Errorf("parseNDPIAddr = %v, %v; want %v", got, err, seen)
	}
	if n := len(expandZeroRuns("302e::3d00::8001")); n != 4 {
		t.Errorf("expandZeroRuns gave %d addresses, want 4 (5 zero groups in two runs)", n)
	}
}

func u(v uint64) *uint64 { return &v }

func TestCompare(t *testing.T) {
	a, b := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	flows := []Flow{
		// The same 5-tuple twice (a port reused later), then a UDP flow
		// that flowsift saw from the other side.
		{Transport: "tcp", Src: a, SrcPort: 1000, Dst: b, DstPort: 80, SrcPkts: 3, SrcBytes: 180, DstPkts: 2, DstBytes: 120},
		{Transport: "tcp", Src: a, SrcPort: 1000, Dst: b, DstPort: 80, SrcPkts: 1, SrcBytes: 40},
		{Transport: "udp", Src: b, SrcPort: 53, Dst: a, DstPort: 5000, VLAN: 7, SrcPkts: 1, SrcBytes: 90, DstPkts: 1, DstBytes: 60},
	}

	vlan := uint16(7)
	truth := []NDPIFlow{
		{Pcap: "x.pcap", Flow: 1, L4: "TCP", Src: "10.0.0.2", Sport: 80, Dst: "10.0.0.1", Dport: 1000, PktsC2S: 1},
		{Pcap: "x.pcap", Flow: 2, L4: "TCP", Src: "10.0.0.1", Sport: 1000, Dst: "10.0.0.2", Dport: 80, PktsC2S: 3, PktsS2C: 2},
		{Pcap: "x.pcap", Flow: 3, L4: "UDP", Src: "10.0.0.1", Sport: 5000, Dst: "10.0.0.2", Dport: 53, VLAN: &vlan, PktsC2S: 1, PktsS2C: 1},
		{Pcap: "x.pcap", Flow: 4, L4: "UDP", Src: "10.0.0.1", Sport: 5001, Dst: "10.0.0.2", Dport: 53, PktsC2S: 1},
	}
	var nr NDPIResult
	if err := CompareNDPI("x.pcap", truth, flows, &nr, nil); err != nil {
		t.Fatal(err)
	}
	if nr.Flows != 4 || nr.Matched != 3 || len(nr.Disagreements) != 1 || nr.Disagreements[0].Class != ClassNoFlow {
		t.Errorf("nDPI: %d/%d matched, disagreements %+v; want 3/4 and one %s", nr.Matched, nr.Flows, nr.Disagreements, ClassNoFlow)
	}

	zt := ZeekTrace{Trace: "x.pcap", Rows: []ZeekConn{
		// Zeek's originator is flowsift's destination here: orient by address.
		{OrigH: "10.0.0.1", OrigP: 5000, RespH: "10.0.0.2", RespP: 53, Proto: "udp",
			OrigPkts: u(1), OrigIPBytes: u(60), RespPkts: u(1), RespIPBytes: u(90)},
		{OrigH: "10.0.0.1", OrigP: 1000, RespH: "10.0.0.2", RespP: 80, Proto: "tcp",
			OrigPkts: u(3), OrigIPBytes: u(180), RespPkts: u(2), RespIPBytes: u(100)},
	}}
	var zr ZeekResult
	if err := CompareZeek(&zt, flows, &zr); err != nil {
		t.Fatal(err)
	}
	var classes []string
	for _, d := range zr.Disagreements {
		classes = append(classes, d.Class)
	}
	if diff := cmp.Diff([]string{ClassSplit}, classes); zr.Matched != 1 || diff != "" {
		t.Errorf("zeek: %d/%d matched, classes (-want +got):\n%s", zr.Matched, zr.Rows, diff)
	}
}
