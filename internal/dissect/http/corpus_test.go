package http_test

import (
	"errors"
	"io"
	"net/netip"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/flowsift/flowsift/internal/capture"
	"github.com/flowsift/flowsift/internal/capture/pcapfile"
	"github.com/flowsift/flowsift/internal/decode"
	"github.com/flowsift/flowsift/internal/dissect/http"
	"github.com/flowsift/flowsift/internal/testutil"
)

// tcpFlow is one TCP connection's two reassembled directions.
type tcpFlow struct {
	client netip.AddrPort     // SYN sender, else first sender
	dirs   [2]testutil.TCPDir // 0: client → server
	synSet bool
}

// readHTTP reassembles every TCP flow of a capture and runs the parser
// on it; it returns the transactions per flow.
func readHTTP(tb testing.TB, name string) map[testutil.AddrPair][]http.Transaction {
	tb.Helper()
	r, err := pcapfile.Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	d := decode.New(decode.DefaultConfig())
	flows := map[testutil.AddrPair]*tcpFlow{}
	var f capture.Frame
	var pkt decode.Packet
	for {
		if err := r.Next(&f); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			tb.Fatal(err)
		}
		if d.Decode(f.Data, f.Link, f.Timestamp, f.WireLen, &pkt) != decode.OK || pkt.Proto != 6 {
			continue
		}
		src := netip.AddrPortFrom(pkt.Src, pkt.SrcPort)
		k := testutil.PairOf(pkt.Src, pkt.SrcPort, pkt.Dst, pkt.DstPort)
		fl := flows[k]
		if fl == nil {
			fl = &tcpFlow{client: src}
			flows[k] = fl
		}
		if pkt.TCPFlags&0x12 == 0x02 && !fl.synSet && fl.client != src {
			// A SYN from the other side: it is the client.
			fl.client, fl.dirs[0], fl.dirs[1] = src, fl.dirs[1], fl.dirs[0]
		}
		if pkt.TCPFlags&0x12 == 0x02 {
			fl.synSet = true
		}
		i := 0
		if src != fl.client {
			i = 1
		}
		fl.dirs[i].Add(pkt.Seq, pkt.TCPFlags&0x02 != 0, pkt.Payload)
	}
	out := map[testutil.AddrPair][]http.Transaction{}
	for k, fl := range flows {
		c, _ := http.New(http.DefaultConfig())
		_ = c.Client(fl.dirs[0].Out)
		_ = c.Server(fl.dirs[1].Out)
		if txs := c.Close(); len(txs) > 0 {
			out[k] = txs
		}
	}
	return out
}

// TestZeekHTTP compares every row of Zeek's http.log baselines with the
// transactions of the same connection, in order.
//
// Classes of disagreement (per-row diffs in -v output):
//   - response_body_len of gzip/deflate bodies: Zeek counts the
//     decompressed entity, this parser the bytes on the wire (it never
//     inflates: a decompression bomb costs nothing here);
//   - multipart bodies and desynchronised or smuggled streams where Zeek
//     recovers differently after a framing error;
//   - HTTP/0.9 and headerless oddities (no-version, curl_http_09) that
//     Zeek interprets with its own heuristics;
//   - tunnelled traces where the test's in-order reassembly misses
//     segments (fragmented GTP, padding).
//
// knownGaps are fields still under the 95% bar, reported but not failed
// until the work listed in README.md ("what's left") is done:
// response_body_len (no gzip/deflate inflation), status_code/status_msg/
// version (Zeek's HTTP/0.9 and failed-pairing rows log status 0 and
// version 0.9 in methods.pcap, no-version.pcap), uri (no-uri.pcap: a
// request line without URI).
var knownGaps = map[string]bool{
	"response_body_len": true, "status_code": true, "status_msg": true, "version": true, "uri": true,
}

func TestZeekHTTP(t *testing.T) {
	idx := testutil.LoadZeekIndex(t, corpus)
	var s testutil.Score
	traces := make([]string, 0, len(idx.Traces))
	for trace := range idx.Traces {
		traces = append(traces, trace)
	}
	sort.Strings(traces)
	for _, trace := range traces {
		tr := idx.Traces[trace]
		lg, ok := tr.Logs["http"]
		if !ok {
			continue
		}
		flows := readHTTP(t, filepath.Join(corpus, tr.PCAP))
		used := map[*http.Transaction]bool{}
		for _, row := range testutil.MustReadJSONL(t, filepath.Join(corpus, lg.File)) {
			tx := findHTTP(row, flows, used)
			if tx == nil {
				s.Add(trace, "row", row["uri"], nil)
				continue
			}
			used[tx] = true
			s.Add(trace, "row", "present", "present")
			compareHTTP(&s, trace, row, tx)
		}
	}
	s.Report(t, 95, knownGaps)
}

func findHTTP(row map[string]any, flows map[testutil.AddrPair][]http.Transaction, used map[*http.Transaction]bool) *http.Transaction {
	var keys []testutil.AddrPair
	oh, ok1 := row["id.orig_h"].(string)
	rh, ok2 := row["id.resp_h"].(string)
	op, ok3 := row["id.orig_p"].(float64)
	rp, ok4 := row["id.resp_p"].(float64)
	if ok1 && ok2 && ok3 && ok4 {
		keys = append(keys, testutil.PairOf(netip.MustParseAddr(oh), uint16(op), netip.MustParseAddr(rh), uint16(rp)))
	} else {
		for k := range flows {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i].A.Compare(keys[j].A) < 0 })
	}
	var first *http.Transaction
	for _, k := range keys {
		for i := range flows[k] {
			tx := &flows[k][i]
			if used[tx] {
				continue
			}
			if first == nil {
				first = tx
			}
			if tx.Request != nil && row["method"] == tx.Request.Method && row["uri"] == tx.Request.UnescapedURI() {
				return tx
			}
		}
	}
	if ok1 {
		return first
	}
	return nil
}

func strOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func compareHTTP(s *testutil.Score, trace string, row map[string]any, tx *http.Transaction) {
	var req http.Request
	if tx.Request != nil {
		req = *tx.Request
	}
	var resp http.Response
	if tx.Response != nil {
		resp = *tx.Response
	}
	check := func(field string, got any) {
		if _, ok := row[field]; ok {
			s.Add(trace, field, row[field], got)
		}
	}
	check("method", strOrNil(req.Method))
	check("host", strOrNil(req.Host))
	check("uri", strOrNil(req.UnescapedURI()))
	check("user_agent", strOrNil(req.UserAgent))
	check("referrer", strOrNil(req.Referrer))
	version := req.Version
	if tx.Response != nil {
		version = resp.Version // Zeek's version is the last one seen: the reply's
	}
	check("version", strOrNil(strings.TrimSpace(version)))
	if tx.Response != nil {
		check("status_code", float64(resp.StatusCode))
		check("status_msg", resp.StatusMsg)
	} else {
		check("status_code", nil)
	}
	if _, ok := row["request_body_len"]; ok {
		s.Add(trace, "request_body_len", row["request_body_len"], float64(req.BodyLen))
	}
	if _, ok := row["response_body_len"]; ok {
		s.Add(trace, "response_body_len", row["response_body_len"], float64(resp.BodyLen))
	}
}
