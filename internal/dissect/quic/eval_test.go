package quic

import (
	"bufio"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowsift/flowsift/internal/dissect/tls"
	"github.com/flowsift/flowsift/internal/testutil"
)

type ndpiRow struct {
	Pcap     string `json:"pcap"`
	L4       string `json:"l4"`
	Src      string `json:"src"`
	Sport    uint16 `json:"sport"`
	Dst      string `json:"dst"`
	Dport    uint16 `json:"dport"`
	Hostname string `json:"hostname"`
	JA4      string `json:"ja4"`
	ALPN     string `json:"alpn_advertised"`
	Version  string `json:"quic_version"`
}

func (r ndpiRow) Key() testutil.FlowKey {
	sa, _ := netip.ParseAddr(r.Src)
	da, _ := netip.ParseAddr(r.Dst)
	s, d := testutil.Endpoint{Addr: sa.Unmap(), Port: r.Sport}, testutil.Endpoint{Addr: da.Unmap(), Port: r.Dport}
	if d.Less(s) {
		s, d = d, s
	}
	return testutil.FlowKey{L4: r.L4, A: s, B: d}
}

type score struct{ n, ok int }

func (s *score) add(ok bool) {
	s.n++
	if ok {
		s.ok++
	}
}

func (s score) pct() float64 {
	if s.n == 0 {
		return 100
	}
	return 100 * float64(s.ok) / float64(s.n)
}

// runFlow feeds a UDP flow's datagrams to a Conn; the client is the first
// side to send a long-header packet.
func runFlow(f *testutil.Flow) *Conn {
	c, _ := NewConn(DefaultConfig())
	clientIsA, known := true, false
	for i, g := range f.Grams {
		if !known && len(g) > 0 && g[0]&0x80 != 0 {
			clientIsA, known = f.GramsA[i], true
		}
		if known {
			_ = c.Feed(g, f.GramsA[i] == clientIsA)
		}
	}
	return c
}

// TestNDPIAgreement compares SNI, JA4, ALPN and version of QUIC flows with
// nDPI's. Only IETF QUIC rows with a JA4 are scored for JA4/SNI/ALPN: nDPI
// also dissects Google QUIC (Q0xx/T05x, not decrypted here) and prints
// version negotiation packets. JA4 is compared with the same allowance
// for nDPI's SNI-flag and ALPN-character behaviour as the tls package's
// evaluation (see ja4NDPIEqual there).
func TestNDPIAgreement(t *testing.T) {
	f, err := os.Open(filepath.Join(testutil.CorpusDir(t), "truth/ndpi-flows.jsonl"))
	if err != nil {
		t.Skipf("corpus absent: %v", err)
	}
	defer f.Close()
	byPcap := map[string][]ndpiRow{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		var r ndpiRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if r.L4 == "UDP" && strings.HasPrefix(r.JA4, "q") {
			byPcap[r.Pcap] = append(byPcap[r.Pcap], r)
		}
	}
	fields := map[string]*score{"sni": {}, "ja4": {}, "ja4-ndpi": {}, "alpn": {}, "version": {}}
	var misses []string
	for pcap, rows := range byPcap {
		flows, err := testutil.ReadFlows(filepath.Join(testutil.CorpusDir(t), "pcap/ndpi", pcap))
		if err != nil {
			t.Logf("%s: %v", pcap, err)
		}
		byKey := map[testutil.FlowKey][]*testutil.Flow{}
		for _, fl := range flows {
			byKey[fl.Key] = append(byKey[fl.Key], fl)
		}
		for _, r := range rows {
			var ch *tls.ClientHello
			var c *Conn
			if cands := byKey[r.Key()]; len(cands) > 0 {
				c = runFlow(cands[0])
				byKey[r.Key()] = cands[1:]
				ch = c.Handshake().ClientHello
			}
			var ja4, sni, alpn, ver string
			if ch != nil {
				ja4, sni, alpn = tls.JA4(ch, true), ch.ServerName, strings.Join(ch.ALPN, ";")
			}
			if c != nil {
				ver = VersionName(c.Version())
			}
			check := func(name, want, got string) {
				ok := want == got
				fields[name].add(ok)
				if !ok {
					misses = append(misses, pcap+" "+r.Key().String()+" "+name+": want "+want+" got "+got)
				}
			}
			check("ja4", r.JA4, ja4)
			fields["ja4-ndpi"].add(ja4NDPIEqual(r.JA4, ja4, ch))
			if r.Hostname != "" {
				check("sni", r.Hostname, sni)
			}
			if r.ALPN != "" || alpn != "" {
				check("alpn", r.ALPN, alpn)
			}
			if r.Version != "" {
				check("version", r.Version, ver)
			}
		}
	}
	for i, m := range misses {
		if i == 30 && os.Getenv("QUIC_EVAL_VERBOSE") == "" {
			t.Logf("… %d more", len(misses)-30)
			break
		}
		t.Log(m)
	}
	for _, name := range []string{"sni", "ja4", "ja4-ndpi", "alpn", "version"} {
		s := fields[name]
		t.Logf("nDPI agreement %-8s %6.2f%% (%d/%d)", name, s.pct(), s.ok, s.n)
	}
	for _, name := range []string{"sni", "ja4-ndpi"} {
		if fields[name].pct() < 95 {
			t.Errorf("%s agreement %.2f%% is under 95%%", name, fields[name].pct())
		}
	}
}

// ja4NDPIEqual: see the tls package's evaluation for the two nDPI
// behaviours it allows (SNI flag, first-two-characters ALPN).
func ja4NDPIEqual(want, got string, ch *tls.ClientHello) bool {
	if len(want) != len(got) || len(got) < 10 {
		return false
	}
	g := []byte(got)
	g[3] = want[3]
	if ch != nil && len(ch.ALPN) > 0 && len(ch.ALPN[0]) >= 2 {
		g[8], g[9] = ch.ALPN[0][0], ch.ALPN[0][1]
	}
	return string(g) == want || (string(g[:8]) == want[:8] && string(g[10:]) == want[10:] && got[8] == want[8])
}
