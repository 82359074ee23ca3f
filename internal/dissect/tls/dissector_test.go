package tls_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flowsift/flowsift/internal/dissect"
	"github.com/flowsift/flowsift/internal/dissect/tls"
	"github.com/flowsift/flowsift/internal/record"
	"github.com/flowsift/flowsift/internal/testutil"
	"github.com/flowsift/flowsift/internal/testutil/sensortest"
)

// TestDissectorGolden runs captures through the sensor path and compares
// their tls records with golden files (go test -run Golden -update).
func TestDissectorGolden(t *testing.T) {
	for _, c := range []string{"dhe", "tls13_wolfssl"} {
		t.Run(c, func(t *testing.T) {
			res := sensortest.Run(t, filepath.Join("testdata", c+".pcap"))
			sensortest.Golden(t, filepath.Join("testdata", c+".golden.jsonl"), res.Datasets(record.DatasetTLS))
		})
	}
}

// TestDissectorFields checks the record of a known connection: nDPI's
// truth for its SNI and fingerprints (JA4 with the spec's ALPN characters
// "h1", where that nDPI build prints "ht"), and its certificate.
func TestDissectorFields(t *testing.T) {
	res := sensortest.Run(t, "testdata/tls_verylong_certificate.pcap")
	recs := res.Datasets(record.DatasetTLS)
	if len(recs) != 1 {
		t.Fatalf("%d tls records, want 1", len(recs))
	}
	m := recs[0]
	want := map[string]any{
		"@timestamp":                                 "2020-01-05T20:08:28.475203Z", // the ClientHello
		"network.protocol":                           "tls",
		"network.application":                        "abuse_ch", // named from the SNI
		"tls.client.server_name":                     "feodotracker.abuse.ch",
		"tls.client.ja3":                             "2a26b1a62e40d25d4de3babc9d532f30",
		"tls.client.ja4":                             "t12d6707h1_2955a3196ffa_c83f907a73d3",
		"tls.cipher":                                 "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
		"tls.version":                                "1.2",
		"tls.version_protocol":                       "tls",
		"tls.next_protocol":                          "http/1.1",
		"tls.established":                            true,
		"tls.resumed":                                nil,
		"tls.server.x509.serial_number":              "6630D58F2CF21D11DF0ED794",
		"tls.server.chain.length":                    "2",
		"tls.server.x509.self_signed":                false,
		"tls.server.x509.subject.distinguished_name": "CN=p2.shared.global.fastly.net,O=Fastly\\, Inc.,L=San Francisco,ST=California,C=US",
		"tls.server.x509.issuer.distinguished_name":  "CN=GlobalSign CloudSSL CA - SHA256 - G3,O=GlobalSign nv-sa,C=BE",
	}
	for path, w := range want {
		got := sensortest.Get(m, path)
		if n, ok := got.(interface{ String() string }); ok {
			got = n.String()
		}
		if !cmp.Equal(w, got) {
			t.Errorf("%s = %v, want %v", path, got, w)
		}
	}
	if sans, _ := sensortest.Get(m, "tls.server.x509.alternative_names").([]any); len(sans) < 100 || sans[0] != "p2.shared.global.fastly.net" {
		t.Errorf("alternative names: %d, first %v", len(sans), sans[:min(1, len(sans))])
	}
	// Once the handshake completed the engine skips the connection.
	if res.Stats.Flow.NotInspected == 0 {
		t.Error("every packet was inspected: the dissector never said Done")
	}
	// The flow record carries the protocol, and the transaction its id.
	var flows []map[string]any
	for _, f := range res.Datasets(record.DatasetFlow) {
		if sensortest.Get(f, "flow.id") == sensortest.Get(m, "flow.id") {
			flows = append(flows, f)
		}
	}
	if len(flows) != 1 || sensortest.Get(flows[0], "network.protocol") != "tls" || sensortest.Get(flows[0], "network.application") != "abuse_ch" {
		t.Errorf("flow records of the connection: %v", flows)
	}
}

// TestDissectorPortIndependence checks that TLS is found by its payload:
// the wolfSSL capture runs on port 9090.
func TestDissectorPortIndependence(t *testing.T) {
	res := sensortest.Run(t, "testdata/tls13_wolfssl.pcap")
	recs := res.Datasets(record.DatasetTLS)
	if len(recs) != 1 {
		t.Fatalf("%d tls records, want 1", len(recs))
	}
	for path, want := range map[string]any{
		"destination.port": "9090", "network.protocol": "tls", "tls.version": "1.3",
		"tls.cipher": "TLS_AES_256_GCM_SHA384", "tls.established": true,
		"tls.client.ja4": "t13i010600_ee47968ec53b_5af53a18c712",
	} {
		got := sensortest.Get(recs[0], path)
		if n, ok := got.(interface{ String() string }); ok {
			got = n.String()
		}
		if got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	if v := sensortest.Get(recs[0], "tls.client.supported_versions"); !cmp.Equal(v, []any{"1.3", "1.2", "1.1"}) {
		t.Errorf("supported versions %v", v)
	}
}

// TestRecord checks how a handshake becomes tls.* fields.
func TestRecord(t *testing.T) {
	ch := &tls.ClientHello{
		LegacyVersion: 0x0303, CipherSuites: []uint16{0x1301}, ServerName: "example.org", ALPN: []string{"h2", "http/1.1"},
		SupportedVersions: []uint16{0x3a3a, 0x0303, 0x7f17, 0x0304, 0x0302},
	}
	cert := tls.Certificate{Subject: "CN=example.org", Issuer: "CN=CA", SANs: []string{"example.org"}, Serial: "01", SHA1: "aa", SHA256: "bb"}
	for _, c := range []struct {
		name string
		hs   tls.Handshake
		quic bool
		want record.TLS
	}{
		{
			name: "client only",
			hs:   tls.Handshake{ClientHello: ch},
			want: record.TLS{HasEstablished: true, ServerName: "example.org", JA4: tls.JA4(ch, false),
				ClientVersions: []string{"1.3", "1.2", "1.1"}, ClientALPN: []string{"h2", "http/1.1"}},
		},
		{
			name: "tls 1.3 resumed with a pre-shared key, quic",
			hs: tls.Handshake{ServerHello: &tls.ServerHello{LegacyVersion: 0x0303, SupportedVersion: 0x0304, CipherSuite: 0x1301, Extensions: []uint16{0x002b, 0x0029}},
				ApplicationData: [2]bool{true, true}},
			quic: true,
			want: record.TLS{Version: "1.3", VersionProtocol: "tls", Cipher: "TLS_AES_128_GCM_SHA256", Resumed: true},
		},
		{
			name: "ssl 3.0 with a chain",
			hs: tls.Handshake{ServerHello: &tls.ServerHello{LegacyVersion: 0x0300, CipherSuite: 0x000a, ALPN: "h2"},
				Certificates: []tls.Certificate{cert, {Issuer: "CN=Root"}}, ChangeCipherSpec: [2]bool{true, true}},
			want: record.TLS{Version: "3.0", VersionProtocol: "ssl", Cipher: "TLS_RSA_WITH_3DES_EDE_CBC_SHA", NextProtocol: "h2",
				Established: true, HasEstablished: true,
				Subject: "CN=example.org", Issuer: "CN=CA", SANs: []string{"example.org"}, Serial: "01", SHA1: "aa", SHA256: "bb",
				ChainIssuers: []string{"CN=CA", "CN=Root"}, ChainLength: 2},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := c.hs.Record(c.quic)
			if c.hs.ServerHello != nil {
				// The fingerprints have their own tests in tls_test.go.
				got.JA3S, got.JA4S = "", ""
			}
			if c.hs.ClientHello != nil {
				_, c.want.JA3 = tls.JA3(c.hs.ClientHello)
			}
			if diff := cmp.Diff(&c.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

// TestProbe checks the verdicts on stream starts.
func TestProbe(t *testing.T) {
	reg, err := dissect.Lookup("tls")
	if err != nil {
		t.Fatal(err)
	}
	hello := []byte{0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03}
	for _, c := range []struct {
		name string
		data []byte
		want dissect.Verdict
	}{
		{"empty", nil, dissect.Maybe},
		{"record type only", hello[:1], dissect.Maybe},
		{"record header", hello[:5], dissect.Maybe},
		{"handshake type", hello[:6], dissect.Maybe},
		{"client hello", hello, dissect.Yes},
		{"sslv3 server hello", []byte{0x16, 0x03, 0x00, 0x00, 0x4a, 0x02, 0x00, 0x00, 0x46, 0x03, 0x00}, dissect.Yes},
		{"certificate first", []byte{0x16, 0x03, 0x03, 0x02, 0x00, 0x0b, 0x00, 0x01, 0xfc, 0x03, 0x03}, dissect.No},
		{"short hello body", []byte{0x16, 0x03, 0x01, 0x00, 0x10, 0x01, 0x00, 0x00, 0x0c, 0x03, 0x03}, dissect.No},
		{"record too long", []byte{0x16, 0x03, 0x01, 0xff, 0xff, 0x01}, dissect.No},
		{"application data, more to come", []byte{0x17, 0x03, 0x03, 0x00, 0x20, 0x01}, dissect.Maybe},
		{"application data records", []byte{0x17, 0x03, 0x03, 0x00, 0x01, 0xaa, 0x17, 0x03}, dissect.Yes},
		{"application data then garbage", []byte{0x17, 0x03, 0x03, 0x00, 0x01, 0xaa, 0x47, 0x45}, dissect.No},
		{"change cipher spec", []byte{0x14, 0x03, 0x03, 0x00, 0x01, 0x01}, dissect.Yes},
		{"bad change cipher spec", []byte{0x14, 0x03, 0x03, 0x00, 0x02, 0x01, 0x01}, dissect.No},
		{"http", []byte("GET / HTTP/1.1\r\n"), dissect.No},
		{"sslv2 hello", []byte{0x80, 0x2e, 0x01, 0x00, 0x02}, dissect.No},
	} {
		if got := reg.Probe(c.data, dissect.Hint{FromClient: true, TCP: true}); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if reg.Probe(hello, dissect.Hint{FromClient: true}) != dissect.No {
		t.Error("a UDP datagram is not TLS")
	}
}

// score counts agreement of one field.
type score struct{ ok, n int }

func (s *score) add(ok bool) {
	s.n++
	if ok {
		s.ok++
	}
}

func (s score) pct() float64 { return testutil.Pct(s.ok, s.n) }

// ndpiRow is a row of the corpus's truth/ndpi-flows.jsonl with the TLS
// fields testutil.NDPIRow leaves out.
type ndpiRow struct {
	testutil.NDPIRow
	JA3C string `json:"ja3c"`
	JA4  string `json:"ja4"`
}

// corpusRows groups by capture the nDPI rows whose app or master is app,
// with a DPI confidence (as testutil.NDPIRows selects them).
func corpusRows(t *testing.T, app string) (string, map[string][]ndpiRow) {
	t.Helper()
	corpus := testutil.CorpusDir(t)
	byPcap := map[string][]ndpiRow{}
	for _, m := range testutil.ReadJSONL(t, filepath.Join(corpus, "truth/ndpi-flows.jsonl")) {
		b, _ := json.Marshal(m)
		var r ndpiRow
		if json.Unmarshal(b, &r) != nil || (r.App != app && r.Master != app) || !strings.HasPrefix(r.Conf, "DPI") {
			continue
		}
		byPcap[r.Pcap] = append(byPcap[r.Pcap], r)
	}
	if len(byPcap) == 0 {
		t.Skip("no nDPI truth rows")
	}
	return filepath.Join(corpus, "pcap/ndpi"), byPcap
}

// TestNDPICorpus runs every nDPI capture with TLS flows through the sensor
// path and compares with nDPI's DPI verdicts: network.protocol, the SNI,
// JA3 and JA4. Allowances, all nDPI behaviours:
//   - with no SNI, nDPI prints the server's address as host name: those
//     rows are not counted for the host name;
//   - JA4: nDPI sets the SNI flag from its own host name (which it also
//     fills without a server_name extension) and prints the first two
//     characters of the first ALPN value where the spec takes the first
//     and last, and hashes an empty extension list where the spec writes
//     twelve zeros (see ja4NDPIEqual).
//
// The remaining misses are the five flows of heuristic_tcp_ack_payload.pcap,
// whose pure ACKs carry 2 to 6 bytes of zeros at the sequence numbers
// where the hellos then start: reassembly keeps the first copy, so both
// streams start with zeros (nDPI has a heuristic for this capture).
func TestNDPICorpus(t *testing.T) {
	dir, byPcap := corpusRows(t, "TLS")
	pcaps := slices.Sorted(maps.Keys(byPcap))
	var proto, host, ja3, ja4 score
	var misses []string
	miss := func(r ndpiRow, field string, want, got any) {
		misses = append(misses, fmt.Sprintf("%s %s %s: want %v got %v", r.Pcap, r.Key(), field, want, got))
	}
	for _, p := range pcaps {
		res := sensortest.Run(t, filepath.Join(dir, p))
		idx := sensortest.NewIndex(res, record.DatasetTLS)
		for _, r := range byPcap[p] {
			f := idx.Take(r.Key())
			var got string
			var tx map[string]any
			if f != nil {
				got, _ = sensortest.Get(f, "network.protocol").(string)
				if txs := idx.Txs[sensortest.Get(f, "flow.id")]; len(txs) > 0 {
					tx = txs[0]
				}
			}
			proto.add(got == "tls")
			if got != "tls" {
				miss(r, "protocol", "tls", got)
			}
			str := func(path string) string { s, _ := sensortest.Get(tx, path).(string); return s }
			sni := str("tls.client.server_name")
			if r.Hostname != "" && !(sni == "" && isAddr(r.Hostname)) {
				ok := strings.EqualFold(strings.TrimSuffix(r.Hostname, "."), sni)
				host.add(ok)
				if !ok {
					miss(r, "host", r.Hostname, sni)
				}
			}
			if r.JA3C != "" {
				ja3.add(r.JA3C == str("tls.client.ja3"))
				if r.JA3C != str("tls.client.ja3") {
					miss(r, "ja3", r.JA3C, str("tls.client.ja3"))
				}
			}
			if r.JA4 != "" {
				alpn, _ := sensortest.Get(tx, "tls.client.alpn").([]any)
				ok := ja4NDPIEqual(r.JA4, str("tls.client.ja4"), alpn)
				ja4.add(ok)
				if !ok {
					miss(r, "ja4", r.JA4, str("tls.client.ja4"))
				}
			}
		}
	}
	for _, m := range misses {
		t.Log(m)
	}
	t.Logf("nDPI TLS flows in %d captures: protocol %.2f%% (%d/%d), SNI %.2f%% (%d/%d), JA3 %.2f%% (%d/%d), JA4 %.2f%% (%d/%d)",
		len(pcaps), proto.pct(), proto.ok, proto.n, host.pct(), host.ok, host.n, ja3.pct(), ja3.ok, ja3.n, ja4.pct(), ja4.ok, ja4.n)
	for _, c := range []struct {
		name string
		s    score
		bar  float64
	}{{"protocol", proto, 97}, {"SNI", host, 97}, {"JA3", ja3, 95}, {"JA4", ja4, 95}} {
		if c.s.pct() < c.bar {
			t.Errorf("%s agreement %.2f%% is under %.0f%%", c.name, c.s.pct(), c.bar)
		}
	}
}

func isAddr(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

// ja4NDPIEqual compares a spec JA4 with nDPI's, allowing the SNI flag and
// the second ALPN character to differ (see TestNDPICorpus).
func ja4NDPIEqual(want, got string, alpn []any) bool {
	if len(want) != len(got) || len(got) < 10 {
		return false
	}
	const emptyHash, nDPIEmpty = "_000000000000", "_e3b0c44298fc" // SHA-256 of nothing
	if strings.HasSuffix(got, emptyHash) {
		got = strings.TrimSuffix(got, emptyHash) + nDPIEmpty
	}
	g := []byte(got)
	g[3] = want[3]
	if len(alpn) > 0 {
		if a, _ := alpn[0].(string); len(a) >= 2 {
			g[8], g[9] = a[0], a[1]
		}
	}
	return string(g) == want || (string(g[:8]) == want[:8] && string(g[10:]) == want[10:] && got[8] == want[8])
}

// zeekVersion renders tls.version as Zeek's ssl.log does.
func zeekVersion(v, protocol string) string {
	switch {
	case v == "":
		return ""
	case protocol == "ssl":
		return "SSLv" + strings.TrimSuffix(v, ".0")
	case strings.HasPrefix(v, "0x"):
		var n int
		fmt.Sscanf(v, "0x%x", &n)
		return fmt.Sprintf("unknown-%d", n)
	}
	return "TLSv" + strings.ReplaceAll(v, ".", "")
}

// TestZeekSSL compares the records of the TLS traces of Zeek's test suite
// with its ssl.log, joined on the 4-tuple: version, cipher, server_name,
// next_protocol, established and resumed. STARTTLS, RDP and DTLS traces
// are other dissectors' (or no one's) business; a TLS 1.3 draft is 1.3
// here where Zeek writes TLSv13-draftNN.
func TestZeekSSL(t *testing.T) {
	corpus := testutil.CorpusDir(t)
	ty := testutil.NewTally()
	for _, trace := range testutil.ZeekTraces(t, "ssl") {
		if !strings.HasPrefix(trace, "tls/") || strings.Contains(trace, "starttls") || strings.Contains(trace, "dtls") || strings.Contains(trace, "webrtc") {
			continue
		}
		res := sensortest.Run(t, filepath.Join(corpus, "pcap/zeek", trace))
		idx := sensortest.NewIndex(res, record.DatasetTLS)
		for i, r := range testutil.ReadJSONL(t, filepath.Join(corpus, "truth/zeek", trace, "ssl.jsonl")) {
			where := fmt.Sprintf("%s#%d", trace, i)
			k := testutil.ZeekKey("TCP", r)
			tx := idx.First(idx.Take(k))
			if tx == nil {
				ty.Check(where, "record", "found", "missing")
				continue
			}
			get := func(path string) string { return testutil.Str(sensortest.Get(tx, path)) }
			ver := zeekVersion(get("tls.version"), get("tls.version_protocol"))
			if want := testutil.Str(r["version"]); strings.HasPrefix(want, "TLSv13-draft") && ver == "TLSv13" {
				ver = want
			}
			ty.Check(where, "version", testutil.Str(r["version"]), ver)
			ty.Check(where, "cipher", testutil.Str(r["cipher"]), get("tls.cipher"))
			ty.Check(where, "server_name", testutil.Str(r["server_name"]), get("tls.client.server_name"))
			ty.Check(where, "next_protocol", testutil.Str(r["next_protocol"]), get("tls.next_protocol"))
			ty.Check(where, "established", testutil.Str(r["established"]), get("tls.established"))
			resumed := get("tls.resumed")
			if resumed == "" {
				resumed = "false"
			}
			ty.Check(where, "resumed", testutil.Str(r["resumed"]), resumed)
		}
	}
	ty.Report(t, "Zeek ssl", 97)
}
