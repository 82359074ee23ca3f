package sflow_test

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowsift/flowsift/internal/collect"
	"github.com/flowsift/flowsift/internal/collect/sflow"
	"github.com/flowsift/flowsift/internal/record"
	"github.com/flowsift/flowsift/internal/testutil"
)

type layer map[string]string

type sample struct {
	Frame   int               `json:"frame"`
	Kind    string            `json:"kind"`
	Sample  map[string]string `json:"sample"`
	Records []struct {
		Name   string  `json:"name"`
		Layers []layer `json:"header_layers"`
	} `json:"records"`
}

func readSamples(t *testing.T, path string) []sample {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		if r, err = gzip.NewReader(f); err != nil {
			t.Fatal(err)
		}
	}
	var out []sample
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var s sample
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		if s.Kind == "flow_sample" || s.Kind == "expanded_flow_sample" {
			out = append(out, s)
		}
	}
	return out
}

// innermost returns the last value of any of keys over the layers: the
// innermost header, as the packet decoder reports it.
func innermost(ls []layer, keys ...string) (string, bool) {
	v, ok := "", false
	for _, l := range ls {
		for _, k := range keys {
			if x, has := l[k]; has {
				v, ok = x, true
			}
		}
	}
	return v, ok
}

// TestCorpusAgainstTshark decodes every sFlow capture of the corpus and
// compares each flow sample's record with tshark's decode of its raw
// packet header: addresses, protocol, ports, sampling rate, interface.
func TestCorpusAgainstTshark(t *testing.T) {
	corpus := testutil.CorpusDir(t)
	files, _ := filepath.Glob(filepath.Join(corpus, "flows", "sflow5", "*.pcap"))
	files = append(files, filepath.Join(corpus, "flows", "synthetic", "pmacctd-sfprobe-sflow5.pcap"))
	total := map[string][2]int{}
	add := func(k string, ok bool) {
		c := total[k]
		c[1]++
		if ok {
			c[0]++
		}
		total[k] = c
	}
	for _, pcap := range files {
		decodeFile := strings.TrimSuffix(pcap, ".pcap") + ".tshark.jsonl"
		if _, err := os.Stat(decodeFile); err != nil {
			decodeFile += ".gz"
		}
		want := map[int][]sample{}
		for _, s := range readSamples(t, decodeFile) {
			want[s.Frame] = append(want[s.Frame], s)
		}
		d := sflow.New(sflow.Deps{Observer: "test"})
		frame := 0
		for dg, err := range collect.Datagrams(pcap) {
			if err != nil {
				t.Fatal(err)
			}
			frame++
			got, _ := d.Decode(dg.Src.Addr(), dg.Payload, dg.Time, nil)
			w := want[frame]
			add("records per datagram", len(got) == len(w))
			if len(got) != len(w) {
				t.Logf("%s frame %d: %d records, tshark %d samples", filepath.Base(pcap), frame, len(got), len(w))
			}
			for i := range min(len(got), len(w)) {
				compare(add, &got[i], &w[i])
			}
		}
	}
	names := make([]string, 0, len(total))
	for k := range total {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		c := total[k]
		pct := 100 * float64(c[0]) / float64(c[1])
		t.Logf("  %-22s %6d/%-6d %6.2f%%", k, c[0], c[1], pct)
		if pct < 99 {
			t.Errorf("%s agrees with tshark on %.2f%% (bar 99%%)", k, pct)
		}
	}
}

func compare(add func(string, bool), got *record.Record, w *sample) {
	var ls []layer
	for _, r := range w.Records {
		if len(r.Layers) > 0 {
			ls = r.Layers
		}
	}
	if len(ls) == 0 {
		return
	}
	if s, ok := innermost(ls, "ip.src", "ipv6.src"); ok {
		add("source.ip", netip.MustParseAddr(s).Unmap() == got.Source.IP)
	}
	if s, ok := innermost(ls, "ip.dst", "ipv6.dst"); ok {
		add("destination.ip", netip.MustParseAddr(s).Unmap() == got.Destination.IP)
	}
	// The transport: the innermost transport layer tshark decoded, else
	// the IP header's protocol (IPv6's next header may be an extension
	// header, which the decoder walks past).
	proto, ok := "", false
	for _, l := range ls {
		if n, known := map[string]string{"tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58", "sctp": "132"}[l["layer"]]; known {
			proto, ok = n, true
		}
	}
	if !ok {
		proto, ok = innermost(ls, "ip.proto", "ipv6.nxt")
	}
	if s := proto; ok {
		p, _ := strconv.Atoi(s)
		add("network.iana_number", int(got.Network.IANANumber) == p)
	}
	if s, ok := innermost(ls, "tcp.srcport", "udp.srcport"); ok {
		p, _ := strconv.Atoi(s)
		add("source.port", int(got.Source.Port) == p)
	}
	if s, ok := innermost(ls, "tcp.dstport", "udp.dstport"); ok {
		p, _ := strconv.Atoi(s)
		add("destination.port", int(got.Destination.Port) == p)
	}
	rate := w.Sample["sflow.flow_sample.sampling_rate"]
	if r, err := strconv.ParseUint(rate, 10, 64); err == nil {
		add("sampling rate", got.NetFlow.SamplingRate == r && got.Source.Packets == max(r, 1))
	}
}

func TestNotSFlow(t *testing.T) {
	d := sflow.New(sflow.Deps{})
	for _, p := range [][]byte{nil, {0, 0, 0, 4}, {0, 5, 0, 1}, {0, 0, 0, 5, 0, 0, 0, 1}} {
		if recs, err := d.Decode(netip.MustParseAddr("192.0.2.1"), p, time.Now(), nil); err == nil || len(recs) != 0 {
			t.Errorf("Decode(%x) = %d records, %v; want an error", p, len(recs), err)
		}
	}
	if d.Stats().DecodeErrors != 4 {
		t.Errorf("decode errors %d, want 4", d.Stats().DecodeErrors)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte{0, 0, 0, 5, 0, 0, 0, 1, 192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, p []byte) {
		d := sflow.New(sflow.Deps{})
		recs, _ := d.Decode(netip.MustParseAddr("192.0.2.1"), p, time.Unix(1, 0), nil)
		for _, r := range recs {
			if r.Event.Dataset != record.DatasetNetFlow || r.NetFlow == nil {
				t.Fatalf("record %+v", r)
			}
		}
	})
}
