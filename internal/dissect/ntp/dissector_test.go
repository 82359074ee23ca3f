package ntp_test

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flowsift/flowsift/internal/dissect"
	"github.com/flowsift/flowsift/internal/dissect/ntp"
	"github.com/flowsift/flowsift/internal/record"
	"github.com/flowsift/flowsift/internal/testutil"
	"github.com/flowsift/flowsift/internal/testutil/sensortest"
)

// TestGolden runs NTP-digest.pcap (authenticated NTPv4 over IPv6, long
// flows between two hosts' port 123) through the sensor path.
func TestGolden(t *testing.T) {
	res := sensortest.Run(t, "testdata/NTP-digest.pcap")
	sensortest.Golden(t, "testdata/NTP-digest.golden.jsonl", res.Datasets(record.DatasetNTP))
}

// jsonValue turns json.Number into its text so table values stay simple.
func jsonValue(v any) any {
	if s, ok := v.(fmt.Stringer); ok {
		return s.String()
	}
	return v
}

func str(r map[string]any, path string) string {
	return testutil.Str(jsonValue(sensortest.Get(r, path)))
}

func flowKey(r map[string]any) testutil.FlowKey {
	return testutil.TupleKey("UDP", str(r, "source.ip"), str(r, "source.port"), str(r, "destination.ip"), str(r, "destination.port"))
}

// TestRecords checks known flows: the stratum, reference id and poll come
// from the server's answer, not from the client's request.
func TestRecords(t *testing.T) {
	tests := []struct {
		pcap string
		peer string // the flow's other address
		want map[string]any
	}{
		// The client's request says stratum 2, the server's answer 4.
		{"testdata/ntp.pcap", "80.211.52.109", map[string]any{
			"ntp.version": "4", "ntp.mode": "client", "ntp.stratum": "4", "ntp.ref_id": "105.237.207.28",
			"ntp.poll": "6", "ntp.messages": "2", "network.protocol": "ntp",
		}},
		// A stratum 1 server with a GPS clock.
		{"testdata/ntp.pcap", "", map[string]any{"ntp.stratum": "1", "ntp.ref_id": "GPS", "ntp.poll": "4"}},
		// ntpq (mode 6): no clock fields.
		{"testdata/ntpmode67.pcap", "", map[string]any{"ntp.mode": "control", "ntp.version": "2", "ntp.messages": "3", "ntp.stratum": nil, "ntp.ref_id": nil}},
		// ntpdc (mode 7) from port 123 to port 80: the source port is enough.
		{"testdata/NTPv2.pcap", "", map[string]any{"ntp.mode": "private", "destination.port": "80", "ntp.messages": "1"}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.pcap)+" "+tt.peer, func(t *testing.T) {
			var r map[string]any
			for _, x := range sensortest.Run(t, tt.pcap).Datasets(record.DatasetNTP) {
				if tt.peer != "" && str(x, "destination.ip") != tt.peer && str(x, "source.ip") != tt.peer {
					continue
				}
				if tt.peer == "" && tt.want["ntp.ref_id"] != nil && str(x, "ntp.ref_id") != tt.want["ntp.ref_id"] {
					continue
				}
				r = x
				break
			}
			if r == nil {
				t.Fatal("no such ntp record")
			}
			for path, v := range tt.want {
				if diff := cmp.Diff(v, jsonValue(sensortest.Get(r, path))); diff != "" {
					t.Errorf("%s (-want +got):\n%s", path, diff)
				}
			}
		})
	}
}

// TestProbe recognises NTP on its port only.
func TestProbe(t *testing.T) {
	std := func(b0, stratum byte, n int) []byte {
		b := make([]byte, n)
		b[0], b[1] = b0, stratum
		return b
	}
	onPort := dissect.Hint{OnPort: true}
	tests := []struct {
		name string
		data []byte
		h    dissect.Hint
		want dissect.Verdict
	}{
		{"v4 client", std(0x23, 0, 48), onPort, dissect.Yes},
		{"v4 server with MAC", std(0x24, 2, 68), onPort, dissect.Yes},
		{"v3 symmetric active", std(0x19, 3, 48), onPort, dissect.Yes},
		{"v4 client off port", std(0x23, 0, 48), dissect.Hint{}, dissect.No},
		{"short", std(0x23, 0, 47), onPort, dissect.No},
		{"version 0", std(0x03, 0, 48), onPort, dissect.No},
		{"version 5", std(0x2b, 0, 48), onPort, dissect.No},
		{"mode 0", std(0x20, 0, 48), onPort, dissect.No},
		{"stratum 17", std(0x24, 17, 48), onPort, dissect.No},
		{"control", std(0x16, 1, 12), onPort, dissect.Yes},
		{"control too short", std(0x16, 1, 11), onPort, dissect.No},
		{"private", std(0x17, 0, 8), onPort, dissect.Yes},
		{"tcp", std(0x23, 0, 48), dissect.Hint{TCP: true, OnPort: true}, dissect.No},
		{"empty", nil, onPort, dissect.No},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ntp.Probe(tt.data, tt.h); got != tt.want {
				t.Errorf("Probe = %d, want %d", got, tt.want)
			}
		})
	}
}

// FuzzProbe checks that Probe never panics and says Yes only on the port,
// to what Parse reads as NTP.
func FuzzProbe(f *testing.F) {
	f.Add(append([]byte{0x23}, make([]byte, 47)...), true)
	f.Add([]byte{0x16, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, true)
	f.Fuzz(func(t *testing.T, data []byte, onPort bool) {
		if ntp.Probe(data, dissect.Hint{OnPort: onPort}) != dissect.Yes {
			return
		}
		if !onPort {
			t.Fatal("Yes off port 123")
		}
		if m, _ := ntp.Parse(data); m == nil {
			t.Fatalf("Probe says Yes to %x, which Parse rejects", data)
		}
	})
}

// zeekFlow is what Zeek's rows of one flow say the flow's record should
// hold.
type zeekFlow struct {
	rows []map[string]any
}

// answer is the row the record's clock fields come from: the first from
// a server, passive peer or broadcaster, else the first.
func (z *zeekFlow) answer() map[string]any {
	for _, r := range z.rows {
		switch testutil.Str(r["mode"]) {
		case "2", "4", "5":
			return r
		}
	}
	return z.rows[0]
}

// refID renders Zeek's reference id as we do: Zeek writes a stratum 0/1
// id raw, its NUL padding escaped.
func refID(v any) string {
	s := testutil.Str(v)
	for strings.HasSuffix(s, `\x00`) {
		s = strings.TrimSuffix(s, `\x00`)
	}
	return s
}

// TestCorpusZeek compares each flow's record with Zeek's ntp.log,
// ntp_control.log and ntp_private.log, which have one row per message:
// the rows are grouped by connection (uid), and the record must have the
// version and mode of the first row, the stratum, reference id and poll of
// the first answer (mode 2, 4 or 5; else of the first row), and as many
// messages as rows.
func TestCorpusZeek(t *testing.T) {
	corpus := testutil.CorpusDir(t)
	ty := testutil.NewTally()
	var traces []string
	for _, log := range []string{"ntp", "ntp_control", "ntp_private"} {
		traces = append(traces, testutil.ZeekTraces(t, log)...)
	}
	slices.Sort(traces)
	for _, trace := range slices.Compact(traces) {
		// Zeek's connections by uid, in order of their first row; the
		// n-th connection of a 4-tuple is our n-th flow of it (both split
		// a long 123↔123 association at idle gaps the same way).
		flows := map[string]*zeekFlow{}
		var uids []string
		for _, log := range []string{"ntp", "ntp_control", "ntp_private"} {
			for _, z := range testutil.ReadJSONL(t, filepath.Join(corpus, "truth/zeek", trace, log+".jsonl")) {
				uid := testutil.Str(z["uid"])
				if flows[uid] == nil {
					flows[uid] = &zeekFlow{}
					uids = append(uids, uid)
				}
				flows[uid].rows = append(flows[uid].rows, z)
			}
		}
		recs := map[testutil.FlowKey][]map[string]any{}
		for _, r := range sensortest.Run(t, filepath.Join(corpus, "pcap/zeek", trace)).Datasets(record.DatasetNTP) {
			recs[flowKey(r)] = append(recs[flowKey(r)], r)
		}
		for _, rs := range recs {
			sort.SliceStable(rs, func(i, j int) bool { return str(rs[i], "@timestamp") < str(rs[j], "@timestamp") })
		}
		next := map[testutil.FlowKey]int{}
		for _, uid := range uids {
			z := flows[uid]
			k := testutil.ZeekKey("UDP", z.rows[0])
			where := trace + " " + k.String() + " " + uid
			if next[k] >= len(recs[k]) {
				ty.Check(where, "record", "present", "missing")
				continue
			}
			r := recs[k][next[k]]
			next[k]++
			ty.Check(where, "record", "present", "present")
			first, ans := z.rows[0], z.answer()
			ty.Check(where, "version", testutil.Str(first["version"]), str(r, "ntp.version"))
			var mode uint8
			fmt.Sscan(testutil.Str(first["mode"]), &mode)
			ty.Check(where, "mode", ntp.ModeName(mode), str(r, "ntp.mode"))
			if ans["stratum"] != nil {
				ty.Check(where, "stratum", testutil.Str(ans["stratum"]), str(r, "ntp.stratum"))
				ty.Check(where, "ref_id", refID(ans["ref_id"]), str(r, "ntp.ref_id"))
				var poll float64
				fmt.Sscan(str(r, "ntp.poll"), &poll)
				ty.Check(where, "poll", testutil.Str(ans["poll"]), testutil.Str(math.Exp2(poll)))
			}
			ty.Check(where, "messages", fmt.Sprint(len(z.rows)), str(r, "ntp.messages"))
		}
		for k, rs := range recs {
			for _, r := range rs[next[k]:] {
				ty.Check(trace+" "+k.String()+" "+str(r, "@timestamp"), "record", "absent", "extra")
			}
		}
	}
	ty.Report(t, "Zeek ntp", 97)
}

// TestCorpusNDPI checks network.protocol on every flow nDPI labels NTP by
// DPI.
func TestCorpusNDPI(t *testing.T) {
	corpus := testutil.CorpusDir(t)
	ty := testutil.NewTally()
	runs := map[string]sensortest.Result{}
	for _, n := range testutil.NDPIRows(t, "NTP") {
		res, ok := runs[n.Pcap]
		if !ok {
			res = sensortest.Run(t, filepath.Join(corpus, "pcap/ndpi", n.Pcap))
			runs[n.Pcap] = res
		}
		var proto string
		for _, r := range res.Datasets(record.DatasetFlow) {
			if flowKey(r) == n.Key() {
				proto = str(r, "network.protocol")
			}
		}
		ty.Check(n.Pcap+" "+n.Key().String(), "network.protocol", "ntp", proto)
	}
	ty.Report(t, "nDPI ntp", 97)
}
