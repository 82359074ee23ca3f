package ssh_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flowsift/flowsift/internal/dissect"
	"github.com/flowsift/flowsift/internal/record"
	"github.com/flowsift/flowsift/internal/testutil"
	"github.com/flowsift/flowsift/internal/testutil/sensortest"
)

// TestDissectorGolden runs captures through the sensor path and compares
// their ssh records with golden files (go test -run Golden -update).
func TestDissectorGolden(t *testing.T) {
	for _, c := range []string{"ssh_kex_curve25519", "ssh_unidirectional"} {
		t.Run(c, func(t *testing.T) {
			res := sensortest.Run(t, filepath.Join("testdata", c+".pcap"))
			sensortest.Golden(t, filepath.Join("testdata", c+".golden.jsonl"), res.Datasets(record.DatasetSSH))
		})
	}
}

// str renders a decoded JSON value for comparison.
func str(v any) string {
	if n, ok := v.(fmt.Stringer); ok {
		return n.String()
	}
	return testutil.Str(v)
}

// TestDissectorFields checks the records of nDPI's ssh.pcap: an OpenSSH
// 5.6 client on port 22 and an OpenSSH 8.2 client of an Apache SSHD
// server on port 8000, found by payload (nDPI's HASSH values), and that
// each flow record carries the protocol and shares its transaction's
// flow.id.
func TestDissectorFields(t *testing.T) {
	res := sensortest.Run(t, "testdata/ssh.pcap")
	recs := res.Datasets(record.DatasetSSH)
	if len(recs) != 2 {
		t.Fatalf("%d ssh records, want 2", len(recs))
	}
	// Once the login inference decided the engine skips the connections.
	if res.Stats.Flow.NotInspected == 0 {
		t.Error("every packet was inspected: the dissector never said Done")
	}
	byPort := map[string]map[string]any{}
	for _, m := range recs {
		byPort[str(sensortest.Get(m, "destination.port"))] = m
	}
	for port, want := range map[string]map[string]string{
		"22": {
			"@timestamp":        "2011-11-04T19:37:44.768382Z", // the server's banner
			"ssh.version":       "2",
			"ssh.client.banner": "SSH-2.0-OpenSSH_5.6",
			"ssh.server.banner": "SSH-2.0-OpenSSH_5.3",
			"ssh.client.hassh":  "21b457a327ce7a2d4fce5ef2c42400bd",
			"ssh.server.hassh":  "b1c6c0d56317555b85c7005a3de29325",
			"ssh.kex_alg":       "diffie-hellman-group-exchange-sha256",
			"ssh.host_key_alg":  "ssh-rsa",
			"ssh.cipher_alg":    "aes128-ctr",
			"ssh.mac_alg":       "hmac-md5",
			"ssh.auth_success":  "true",
			"ssh.auth_attempts": "3",
		},
		"8000": {
			"network.protocol":  "ssh",
			"ssh.client.banner": "SSH-2.0-OpenSSH_8.2p1 Ubuntu-4ubuntu0.11",
			"ssh.server.banner": "SSH-2.0-APACHE-SSHD-2.5.0",
			"ssh.client.hassh":  "c11b200866cf918393e62ea25d851d90",
			"ssh.server.hassh":  "ca6dd86b2d9a44e4a3f1a55c53e6b0fa",
			"ssh.kex_alg":       "ecdh-sha2-nistp256",
		},
	} {
		m := byPort[port]
		if m == nil {
			t.Errorf("no ssh record on port %s", port)
			continue
		}
		for path, w := range want {
			if got := str(sensortest.Get(m, path)); got != w {
				t.Errorf("port %s: %s = %q, want %q", port, path, got, w)
			}
		}
		var flows []string
		for _, f := range res.Datasets(record.DatasetFlow) {
			if sensortest.Get(f, "flow.id") == sensortest.Get(m, "flow.id") {
				flows = append(flows, str(sensortest.Get(f, "network.protocol")))
			}
		}
		if !slices.Equal(flows, []string{"ssh"}) {
			t.Errorf("port %s: flow records sharing the transaction's id: %v", port, flows)
		}
	}
}

// TestDissectorAEAD checks that an AEAD cipher leaves ssh.mac_alg empty
// (the schema's rule; Zeek's ssh.log names the MAC negotiated, unused).
func TestDissectorAEAD(t *testing.T) {
	recs := sensortest.Run(t, "testdata/ssh_kex_curve25519.pcap").Datasets(record.DatasetSSH)
	if len(recs) != 1 {
		t.Fatalf("%d ssh records, want 1", len(recs))
	}
	if c, mac := sensortest.Get(recs[0], "ssh.cipher_alg"), sensortest.Get(recs[0], "ssh.mac_alg"); c != "chacha20-poly1305@openssh.com" || mac != nil {
		t.Errorf("cipher %v, mac %v", c, mac)
	}
}

// TestProbe checks the verdicts on stream starts.
func TestProbe(t *testing.T) {
	reg, err := dissect.Lookup("ssh")
	if err != nil {
		t.Fatal(err)
	}
	client := dissect.Hint{FromClient: true, TCP: true}
	server := dissect.Hint{TCP: true}
	for _, c := range []struct {
		name string
		data string
		h    dissect.Hint
		want dissect.Verdict
	}{
		{"empty", "", client, dissect.Maybe},
		{"prefix", "SS", client, dissect.Maybe},
		{"no version yet", "SSH-", server, dissect.Maybe},
		{"client banner", "SSH-2.0-OpenSSH_9.6\r\n", client, dissect.Yes},
		{"server banner", "SSH-1.99-Cisco-1.25\r\n", server, dissect.Yes},
		{"ssh 1", "SSH-1.5-1.2.27\n", client, dissect.Yes},
		{"bad version", "SSH-3.0-x\r\n", client, dissect.No},
		{"lines before the server banner", "Welcome\r\nSSH-2.0-OpenSSH_9.6\r\n", server, dissect.Yes},
		{"lines before a client banner", "Welcome\r\nSSH-2.0-OpenSSH_9.6\r\n", client, dissect.No},
		{"binary before a banner", "\x00\x01\nSSH-2.0-x\r\n", server, dissect.No},
		{"http", "GET / HTTP/1.1\r\n", client, dissect.No},
		{"udp", "SSH-2.0-x\r\n", dissect.Hint{FromClient: true}, dissect.No},
	} {
		if got := reg.Probe([]byte(c.data), c.h); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
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

// ndpiRow is a row of the corpus's truth/ndpi-flows.jsonl with the fields
// testutil.NDPIRow leaves out.
type ndpiRow struct {
	testutil.NDPIRow
	HASSHS string `json:"hassh_s"`
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

// firstBanner returns the banner sent first on the wire in a flow of a
// capture, which is what ndpiReader prints as the host name of SSH (not
// always the client's: see the ssh package's TestNDPIAgreement).
func firstBanner(t *testing.T, path string, k testutil.FlowKey) string {
	t.Helper()
	flows, err := testutil.ReadFlows(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range flows {
		if f.Key != k {
			continue
		}
		for _, d := range f.Deliveries() {
			if i := strings.Index(string(d.Data), "SSH-"); i >= 0 {
				line, _, _ := strings.Cut(string(d.Data[i:]), "\n")
				return strings.TrimRight(line, "\r")
			}
		}
	}
	return ""
}

// TestNDPICorpus runs every nDPI capture with SSH flows through the sensor
// path and compares with nDPI's DPI verdicts: network.protocol, the host
// name (nDPI's is the banner sent first on the wire), HASSH and
// HASSH-server.
func TestNDPICorpus(t *testing.T) {
	dir, byPcap := corpusRows(t, "SSH")
	var proto, host, hassh, hasshS score
	var misses []string
	check := func(s *score, r ndpiRow, field, want, got string) {
		s.add(want == got)
		if want != got {
			misses = append(misses, fmt.Sprintf("%s %s %s: want %q got %q", r.Pcap, r.Key(), field, want, got))
		}
	}
	pcaps := slices.Sorted(maps.Keys(byPcap))
	for _, p := range pcaps {
		res := sensortest.Run(t, filepath.Join(dir, p))
		idx := sensortest.NewIndex(res, record.DatasetSSH)
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
			check(&proto, r, "protocol", "ssh", got)
			get := func(path string) string { s, _ := sensortest.Get(tx, path).(string); return s }
			if r.Hostname != "" {
				first := firstBanner(t, filepath.Join(dir, p), r.Key())
				banner := get("ssh.client.banner")
				if first != "" && first == get("ssh.server.banner") {
					banner = first
				}
				check(&host, r, "host", r.Hostname, banner)
			}
			if r.HASSHC != "" {
				check(&hassh, r, "hassh", strings.ToLower(r.HASSHC), get("ssh.client.hassh"))
			}
			if r.HASSHS != "" {
				check(&hasshS, r, "hassh_s", strings.ToLower(r.HASSHS), get("ssh.server.hassh"))
			}
		}
	}
	for _, m := range misses {
		t.Log(m)
	}
	t.Logf("nDPI SSH flows in %d captures: protocol %.2f%% (%d/%d), host name %.2f%% (%d/%d), HASSH %.2f%% (%d/%d), HASSH-server %.2f%% (%d/%d)",
		len(pcaps), proto.pct(), proto.ok, proto.n, host.pct(), host.ok, host.n, hassh.pct(), hassh.ok, hassh.n, hasshS.pct(), hasshS.ok, hasshS.n)
	for _, c := range []struct {
		name string
		s    score
	}{{"protocol", proto}, {"host name", host}, {"HASSH", hassh}, {"HASSH-server", hasshS}} {
		if c.s.pct() < 97 {
			t.Errorf("%s agreement %.2f%% is under 97%%", c.name, c.s.pct())
		}
	}
}

// TestZeekSSH compares the records of the SSH traces of Zeek's test suite
// with its ssh.log, joined on the 4-tuple (SSH inside WebSocket or GRE is
// not ours): banners, version, negotiated algorithms, HASSH and the login
// inference. Zeek names the MAC negotiated even with an AEAD cipher,
// which ignores it; the schema leaves ssh.mac_alg empty then, so those
// rows are compared as empty.
func TestZeekSSH(t *testing.T) {
	corpus := testutil.CorpusDir(t)
	ty := testutil.NewTally()
	for _, trace := range testutil.ZeekTraces(t, "ssh") {
		if !strings.HasPrefix(trace, "ssh/") {
			continue
		}
		res := sensortest.Run(t, filepath.Join(corpus, "pcap/zeek", trace))
		idx := sensortest.NewIndex(res, record.DatasetSSH)
		for i, r := range testutil.ReadJSONL(t, filepath.Join(corpus, "truth/zeek", trace, "ssh.jsonl")) {
			where := fmt.Sprintf("%s#%d", trace, i)
			k := testutil.ZeekKey("TCP", r)
			tx := idx.First(idx.Take(k))
			if tx == nil {
				ty.Check(where, "record", "found", "missing")
				continue
			}
			get := func(path string) string { return str(sensortest.Get(tx, path)) }
			ty.Check(where, "client", testutil.Str(r["client"]), get("ssh.client.banner"))
			ty.Check(where, "server", testutil.Str(r["server"]), get("ssh.server.banner"))
			ty.Check(where, "version", testutil.Str(r["version"]), get("ssh.version"))
			ty.Check(where, "kex_alg", testutil.Str(r["kex_alg"]), get("ssh.kex_alg"))
			ty.Check(where, "host_key_alg", testutil.Str(r["host_key_alg"]), get("ssh.host_key_alg"))
			if c := testutil.Str(r["cipher_alg"]); !strings.HasPrefix(c, "To server") {
				ty.Check(where, "cipher_alg", c, get("ssh.cipher_alg"))
				mac := testutil.Str(r["mac_alg"])
				if strings.Contains(c, "gcm@openssh.com") || strings.HasPrefix(c, "chacha20-poly1305") {
					mac = ""
				}
				ty.Check(where, "mac_alg", mac, get("ssh.mac_alg"))
				ty.Check(where, "compression_alg", testutil.Str(r["compression_alg"]), get("ssh.compression_alg"))
			}
			ty.Check(where, "auth_success", testutil.Str(r["auth_success"]), get("ssh.auth_success"))
			attempts := get("ssh.auth_attempts")
			if attempts == "" {
				attempts = "0"
			}
			ty.Check(where, "auth_attempts", testutil.Str(r["auth_attempts"]), attempts)
			if h, ok := r["hassh"]; ok {
				ty.Check(where, "hassh", testutil.Str(h), get("ssh.client.hassh"))
			}
			if h, ok := r["hasshServer"]; ok {
				ty.Check(where, "hasshServer", testutil.Str(h), get("ssh.server.hassh"))
			}
		}
	}
	ty.Report(t, "Zeek ssh", 97)
}
