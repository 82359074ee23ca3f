package quic

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/flowsift/flowsift/internal/testutil"
)

func zeekVersion(v uint32) string {
	switch v {
	case Version1:
		return "1"
	case Version2:
		return "quicv2"
	}
	return fmt.Sprintf("unknown-%x", v)
}

// TestZeekAgreement compares with Zeek's quic.log: server_name,
// client_protocol (first ALPN offered), version and client_initial_dcid,
// joined on the 4-tuple; rows of "zeek-cut" subsets without the tuple are
// joined to the trace's first QUIC flow. Known difference: after a Retry
// Zeek logs a second row for the same 4-tuple with the new DCID, while a
// Conn keeps one OriginalDCID (retry.pcap, 1 of 12).
func TestZeekAgreement(t *testing.T) {
	root := filepath.Join(testutil.CorpusDir(t), "truth/zeek/quic")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("corpus absent: %v", err)
	}
	var logs []string
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Name() == "quic.jsonl" {
			logs = append(logs, p)
		}
		return nil
	})
	fields := map[string]*score{"server_name": {}, "client_protocol": {}, "version": {}, "client_initial_dcid": {}}
	var rows, parsed int
	for _, lp := range logs {
		trace, _ := filepath.Rel(filepath.Join(testutil.CorpusDir(t), "truth/zeek"), filepath.Dir(lp))
		flows, err := testutil.ReadFlows(filepath.Join(testutil.CorpusDir(t), "pcap/zeek", trace))
		if err != nil {
			t.Logf("%s: %v", trace, err)
			continue
		}
		conns := map[testutil.FlowKey]*Conn{}
		var first *Conn
		for _, fl := range flows {
			if fl.Key.L4 != "UDP" || len(fl.Grams) == 0 {
				continue
			}
			c := runFlow(fl)
			conns[fl.Key] = c
			if first == nil && c.Handshake().ClientHello != nil {
				first = c
			}
		}
		f, _ := os.Open(lp)
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<22)
		for sc.Scan() {
			var r map[string]any
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatal(err)
			}
			rows++
			c := first
			if h, ok := r["id.orig_h"].(string); ok {
				oa, _ := netip.ParseAddr(h)
				ra, _ := netip.ParseAddr(fmt.Sprint(r["id.resp_h"]))
				a := testutil.Endpoint{Addr: oa.Unmap(), Port: uint16(r["id.orig_p"].(float64))}
				b := testutil.Endpoint{Addr: ra.Unmap(), Port: uint16(r["id.resp_p"].(float64))}
				if b.Less(a) {
					a, b = b, a
				}
				c = conns[testutil.FlowKey{L4: "UDP", A: a, B: b}]
			}
			if c == nil || c.Handshake().ClientHello == nil {
				t.Logf("%s: row %v not parsed (version %v)", trace, r["uid"], r["version"])
				continue
			}
			parsed++
			ch := c.Handshake().ClientHello
			check := func(name, got string) {
				want, present := r[name]
				if !present {
					return // zeek-cut subset without this column
				}
				w := ""
				if want != nil {
					w = fmt.Sprint(want)
				}
				ok := w == got
				fields[name].add(ok)
				if !ok {
					t.Logf("%s %s: want %q got %q", trace, name, w, got)
				}
			}
			alpn := ""
			if len(ch.ALPN) > 0 {
				alpn = ch.ALPN[0]
			}
			check("server_name", ch.ServerName)
			check("client_protocol", alpn)
			check("version", zeekVersion(c.Version()))
			check("client_initial_dcid", hex.EncodeToString(c.OriginalDCID()))
		}
		f.Close()
	}
	t.Logf("Zeek quic.log rows parsed: %d/%d", parsed, rows)
	total := score{}
	for _, n := range []string{"server_name", "client_protocol", "version", "client_initial_dcid"} {
		s := fields[n]
		total.n += s.n
		total.ok += s.ok
		t.Logf("Zeek agreement %-20s %6.2f%% (%d/%d)", n, s.pct(), s.ok, s.n)
	}
	if total.pct() < 97 {
		t.Errorf("Zeek agreement %.2f%% is under 97%%", total.pct())
	}
}
