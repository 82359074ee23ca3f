package pcapfile_test

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/flowsift/flowsift/internal/capture"
	"github.com/flowsift/flowsift/internal/capture/pcapfile"
	"github.com/flowsift/flowsift/internal/decode"
	"github.com/flowsift/flowsift/internal/flow"
	"github.com/flowsift/flowsift/internal/record"
)

// corpusDir finds ../shared/corpus next to the repository root (or
// $FLOWSIFT_CORPUS), and skips the test when it is absent.
func corpusDir(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("corpus tests are skipped with -short")
	}
	if d := os.Getenv("FLOWSIFT_CORPUS"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root not found")
		}
		dir = parent
	}
	for _, c := range []string{filepath.Join(dir, "..", "shared", "corpus"), "/work/shared/corpus"} {
		if st, err := os.Stat(filepath.Join(c, "pcap")); err == nil && st.IsDir() {
			return c
		}
	}
	t.Skip("../shared/corpus not found next to the repository")
	return ""
}

// result is what one capture did on its way through the sensor path.
type result struct {
	reader  pcapfile.Stats
	errs    []error
	reasons [decode.NumReasons]uint64
	defrag  decode.DefragStats
	flows   flow.Stats
	recPkts uint64
}

type sumSink struct{ pkts *uint64 }

func (s sumSink) Consume(batch []record.Record) {
	for i := range batch {
		*s.pkts += batch[i].Source.Packets + batch[i].Destination.Packets
	}
}

// run reads a capture through pcapfile → decode → flow, failing the test
// on a panic anywhere on the way.
func run(t *testing.T, name string) (res result, openErr error) {
	t.Helper()
	defer func() {
		if v := recover(); v != nil {
			t.Fatalf("%s: panic: %v\n%s", name, v, debug.Stack())
		}
	}()
	r, err := pcapfile.Open(name)
	if err != nil {
		return res, err
	}
	defer func() { _ = r.Close() }()
	dec := decode.New(decode.DefaultConfig())
	tb := flow.New(flow.DefaultConfig(), flow.Deps{Sink: sumSink{&res.recPkts}})
	var f capture.Frame
	var p decode.Packet
	for {
		err := r.Next(&f)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: Next: %v", name, err)
		}
		reason := dec.Decode(f.Data, f.Link, f.Timestamp, f.WireLen, &p)
		res.reasons[reason]++
		if reason == decode.OK {
			tb.Add(&p)
		}
	}
	tb.Flush()
	res.reader, res.errs, res.defrag, res.flows = r.Stats(), r.Errors(), dec.DefragStats(), tb.Stats()
	return res, nil
}

func (r *result) count(names ...string) uint64 {
	var n uint64
	for _, name := range names {
		for i, c := range r.reasons {
			if decode.Reason(i).String() == name {
				n += c
			}
		}
	}
	return n
}

// checkInvariants holds for every capture: each frame has one reason, and
// the records count every packet the flow table was given.
func checkInvariants(t *testing.T, name string, res *result) {
	t.Helper()
	var total uint64
	for _, c := range res.reasons {
		total += c
	}
	if total != res.reader.Frames {
		t.Errorf("%s: %d reasons for %d frames", name, total, res.reader.Frames)
	}
	if res.recPkts != res.flows.Packets {
		t.Errorf("%s: records count %d packets, the table tracked %d", name, res.recPkts, res.flows.Packets)
	}
	if res.flows.Packets < res.reasons[decode.OK] {
		t.Errorf("%s: table tracked %d packets for %d decoded", name, res.flows.Packets, res.reasons[decode.OK])
	}
	if res.flows.ActiveFlows != 0 {
		t.Errorf("%s: %d flows live after Flush", name, res.flows.ActiveFlows)
	}
}

// TestCorpusHostile runs the corpus's fuzzed, malformed and truncated
// captures through the sensor path. Nothing may panic, and the problems
// must be counted. The expected malformed counts are tshark 4.0's: the
// frames matching `ip.len < 20 || ip.hdr_len < 20 || ip.len > frame.len ||
// ip.bogus_ip_length || ip.bogus_ip_version || ip.bogus_header_length ||
// tcp.hdr_len < 20 || tcp.bogus_header_length` (bogus L3/L4 headers; the
// rest of tshark's "malformed" frames are application-layer).
//
// The corpus has no nDPI "badpackets" capture nor a Zeek "trunc/" folder;
// these are the captures of that kind it does have.
func TestCorpusHostile(t *testing.T) {
	corpus := corpusDir(t)
	pcap := filepath.Join(corpus, "pcap")
	tests := []struct {
		file string
		// check picks the counter that must be non-zero; want is its value
		// when a peer gives one (-1: only non-zero). A nil check means the
		// capture's L2-L4 are valid and nothing may be counted as an error.
		check func(*result) (what string, got uint64)
		want  int64
	}{
		{"ndpi/fuzz-2006-06-26-2594.pcap", malformed, 33},
		{"ndpi/fuzz-2006-09-29-28586.pcap", malformed, 4},
		{"ndpi/fuzz-2020-02-16-11740.pcap", malformed, 19},
		{"ndpi/kerberos_fuzz.pcapng", malformed, 1},
		{"zeek/modbus/fuzz-1011.pcap", malformed, 1},
		{"zeek/modbus/fuzz-72.pcap", malformed, 2},
		// capinfos: "An error occurred after reading 1 packets".
		{"ndpi/fuzz-2021-10-13.pcap", readErrors, 1},
		// 1252 fragments of one garbage datagram: bounded, and dropped.
		{"ndpi/ip_fragmented_garbage.pcap", fragDrops, -1},
		{"ndpi/quic-fuzz-overflow.pcapng", fragDrops, 1},
		// Application-layer fuzz: L2-L4 are fine, nothing to count, but
		// nothing may break either.
		{"ndpi/malformed_dns.pcap", nil, 0},
		{"ndpi/malformed_icmp.pcap", nil, 0},
		{"ndpi/ossfuzz_seed_fake_traces_1.pcapng", nil, 0},
		{"ndpi/ossfuzz_seed_fake_traces_2.pcapng", nil, 0},
		{"ndpi/ossfuzz_seed_fake_traces_3.pcapng", nil, 0},
		{"ndpi/dhcp-fuzz.pcapng", nil, 0},
		{"ndpi/bad-dns-traffic.pcap", nil, 0},
		{"ndpi/tls-esni-fuzzed.pcap", nil, 0},
		{"zeek/dns/loc-29-trunc.pcap", nil, 0},
		{"zeek/dns/sshfp-trunc.pcap", nil, 0},
		{"zeek/http/http-inner-transfer-encoding-ossfuzz.pcap", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			name := filepath.Join(pcap, filepath.FromSlash(tt.file))
			if _, err := os.Stat(name); err != nil {
				t.Skipf("not in this corpus: %v", err)
			}
			res, err := run(t, name)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			checkInvariants(t, tt.file, &res)
			if tt.check == nil {
				if e := res.count("malformed", "truncated", "unsupported-link-type", "too-deep"); e != 0 || res.reader.ReadErrors != 0 {
					t.Errorf("valid L2-L4 counted as errors: reasons %v, reader %+v", res.reasons, res.reader)
				}
				return
			}
			what, got := tt.check(&res)
			switch {
			case tt.want < 0 && got == 0:
				t.Errorf("%s = 0, want > 0 (reasons %v, reader %+v, defrag %+v)", what, res.reasons, res.reader, res.defrag)
			case tt.want >= 0 && got != uint64(tt.want):
				t.Errorf("%s = %d, want %d (reasons %v, reader %+v)", what, got, tt.want, res.reasons, res.reader)
			}
		})
	}
}

func malformed(r *result) (string, uint64) { return "malformed frames", r.count("malformed") }

func readErrors(r *result) (string, uint64) {
	if len(r.errs) == 0 && r.reader.ReadErrors > 0 {
		return "read errors without an error message", 0
	}
	return "read errors", r.reader.ReadErrors + uint64(r.reader.Truncated) //nolint:gosec // small counts
}

func fragDrops(r *result) (string, uint64) {
	if held := r.defrag.Fragments - r.defrag.Dropped - r.defrag.Expired - r.defrag.Reassembled; held > uint64(decode.DefaultDefragConfig().MaxDatagrams)*256 {
		return "fragments held beyond the bound", 0
	}
	return "dropped fragments", r.count("fragment-dropped")
}

// TestCorpusAll runs every capture of the corpus through the sensor path:
// no panic, and the invariants hold. Files the reader rejects must be
// rejected with an error that names them.
func TestCorpusAll(t *testing.T) {
	corpus := corpusDir(t)
	var files []string
	err := filepath.WalkDir(filepath.Join(corpus, "pcap"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 100 {
		t.Fatalf("only %d captures under %s", len(files), corpus)
	}
	var frames, okPkts uint64
	for _, name := range files {
		res, err := run(t, name)
		if err != nil {
			if !strings.Contains(err.Error(), filepath.Base(name)) {
				t.Errorf("error %q does not name %s", err, name)
			}
			continue
		}
		checkInvariants(t, name, &res)
		frames += res.reader.Frames
		okPkts += res.reasons[decode.OK]
	}
	t.Logf("%d captures, %d frames, %d decoded packets", len(files), frames, okPkts)
	if okPkts < frames*9/10 {
		t.Errorf("only %d of %d frames decoded", okPkts, frames)
	}
}
