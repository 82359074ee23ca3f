package ftp_test

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flowsift/flowsift/internal/dissect"
	"github.com/flowsift/flowsift/internal/dissect/ftp"
	"github.com/flowsift/flowsift/internal/record"
	"github.com/flowsift/flowsift/internal/testutil"
	"github.com/flowsift/flowsift/internal/testutil/sensortest"
)

// TestGolden runs ipv6.pcap (anonymous login, EPSV and EPRT data
// channels, two RETR) through the sensor path.
func TestGolden(t *testing.T) {
	res := sensortest.Run(t, "testdata/ipv6.pcap")
	sensortest.Golden(t, "testdata/ipv6.golden.jsonl", res.Datasets(record.DatasetFTP))
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

// TestRecords checks the commands logged for known sessions.
func TestRecords(t *testing.T) {
	tests := []struct {
		pcap string
		want []map[string]any // one map per record: dotted path → value
	}{
		{"testdata/ipv6.pcap", []map[string]any{
			{"ftp.command": "PASS", "ftp.reply.code": "230", "user.name": "anonymous", "ftp.arg": nil},
			{"ftp.command": "EPSV", "ftp.data.passive": true, "ftp.data.ip": "2001:470:4867:99::21", "ftp.data.port": "57086"},
			{"ftp.command": "EPSV", "ftp.data.port": "57087"},
			{"ftp.command": "EPSV", "ftp.data.port": "57088"},
			{"ftp.command": "RETR", "ftp.arg": "robots.txt", "file.path": "/robots.txt", "ftp.reply.code": "226", "user.name": "anonymous"},
			{"ftp.command": "EPRT", "ftp.data.passive": false, "ftp.data.ip": "2001:470:1f11:81f:c999:d94:aa7c:2e3e", "ftp.data.port": "49189"},
			{"ftp.command": "RETR", "file.path": "/robots.txt"},
			{"ftp.command": "EPRT", "ftp.data.port": "49190"},
		}},
		// A rejected login: USER gets the final 530, so it is logged.
		{"testdata/ftp_failed.pcap", []map[string]any{
			{"ftp.command": "USER", "ftp.arg": "hello", "ftp.reply.code": "530", "user.name": "hello", "network.protocol": "ftp"},
		}},
		{"testdata/ipv6-multiline-reply.pcap", []map[string]any{
			{"ftp.command": "PASS", "user.name": "anonymous"},
			{"ftp.command": "EPSV", "ftp.data.port": "60931"},
			{"ftp.command": "RETR", "file.path": "/pub/FreeBSD/ports/local-distfiles/avl/libssh-0.5.2.tar.gz", "ftp.reply.code": "550"},
		}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.pcap), func(t *testing.T) {
			recs := sensortest.Run(t, tt.pcap).Datasets(record.DatasetFTP)
			if len(recs) != len(tt.want) {
				t.Fatalf("%d ftp records, want %d", len(recs), len(tt.want))
			}
			for i, want := range tt.want {
				for path, v := range want {
					if diff := cmp.Diff(v, jsonValue(sensortest.Get(recs[i], path))); diff != "" {
						t.Errorf("record %d %s (-want +got):\n%s", i, path, diff)
					}
				}
			}
		})
	}
}

// TestDataConnections checks that every data connection of ipv6.pcap
// (three EPSV, two EPRT) is labelled ftp-data with the control
// connection's flow.id as flow.parent_id, and that the client connected to
// the announced ports.
func TestDataConnections(t *testing.T) {
	res := sensortest.Run(t, "testdata/ipv6.pcap")
	var control string
	var data []map[string]any
	for _, r := range res.Datasets(record.DatasetFlow) {
		switch sensortest.Get(r, "network.protocol") {
		case "ftp":
			control = str(r, "flow.id")
		case ftp.DataProtocol:
			data = append(data, r)
		}
	}
	if control == "" {
		t.Fatal("no ftp control flow")
	}
	var ports []string
	for _, r := range data {
		if got := str(r, "flow.parent_id"); got != control {
			t.Errorf("ftp-data flow %s has parent %q, want %q", str(r, "flow.id"), got, control)
		}
		ports = append(ports, str(r, "destination.port"))
	}
	slices.Sort(ports)
	if want := []string{"49189", "49190", "57086", "57087", "57088"}; !slices.Equal(ports, want) {
		t.Errorf("ftp-data flows to ports %v, want %v", ports, want)
	}
	if res.Dissect.Expected != 5 {
		t.Errorf("engine matched %d expectations, want 5", res.Dissect.Expected)
	}
}

// TestProbe tells FTP from SMTP, POP3 and IRC by content.
func TestProbe(t *testing.T) {
	server := dissect.Hint{TCP: true}
	client := dissect.Hint{TCP: true, FromClient: true}
	onPort := dissect.Hint{TCP: true, OnPort: true}
	clientOnPort := dissect.Hint{TCP: true, FromClient: true, OnPort: true}
	tests := []struct {
		name string
		data string
		h    dissect.Hint
		want dissect.Verdict
	}{
		{"vsftpd", "220 (vsFTPd 3.0.5)\r\n", server, dissect.Yes},
		{"proftpd multi-line", "220-ProFTPD Server\r\n220 ready\r\n", server, dissect.Yes},
		{"filezilla", "220-FileZilla Server 1.7\r\n", server, dissect.Yes},
		{"bare greeting off port", "220 host.example.com ready\r\n", server, dissect.Maybe},
		{"bare greeting on port", "220 host.example.com ready\r\n", onPort, dissect.Yes},
		{"partial greeting", "22", server, dissect.Maybe},
		{"smtp greeting", "220 mx.example.com ESMTP Postfix\r\n", onPort, dissect.No},
		{"pop3", "+OK ready\r\n", server, dissect.No},
		{"syst", "SYST\r\n", client, dissect.Yes},
		{"auth tls", "AUTH TLS\r\n", client, dissect.Yes},
		{"smtp auth", "AUTH PLAIN AGFAYg==\r\n", client, dissect.No},
		{"user off port", "USER anonymous\r\n", client, dissect.Maybe},
		{"user on port", "USER anonymous\r\n", clientOnPort, dissect.Yes},
		{"user then pwd", "USER anonymous\r\nPASS x\r\nPWD\r\n", client, dissect.Yes},
		{"pop3 session", "USER bob\r\nPASS x\r\nSTAT\r\nRETR 1\r\n", client, dissect.Maybe},
		{"irc user", "USER guest 0 * :Ronnie Reagan\r\n", client, dissect.No},
		{"ehlo", "EHLO client.example.com\r\n", client, dissect.No},
		{"partial", "FE", client, dissect.Maybe},
		{"binary", "\x16\x03\x01\x02\x00", client, dissect.No},
		{"udp", "SYST\r\n", dissect.Hint{FromClient: true}, dissect.No},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ftp.Probe([]byte(tt.data), tt.h); got != tt.want {
				t.Errorf("Probe(%q) = %d, want %d", tt.data, got, tt.want)
			}
		})
	}
}

// FuzzProbe checks that Probe never panics and gives one of the three
// verdicts.
func FuzzProbe(f *testing.F) {
	for _, s := range []string{"220 (vsFTPd)\r\n", "USER a\r\nPASS b\r\n", "SYST\r\n", "AUTH TLS\r\n", "2", ""} {
		f.Add([]byte(s), false, false)
		f.Add([]byte(s), true, true)
	}
	f.Fuzz(func(t *testing.T, data []byte, fromClient, onPort bool) {
		if v := ftp.Probe(data, dissect.Hint{TCP: true, FromClient: fromClient, OnPort: onPort}); v > dissect.Yes {
			t.Fatalf("verdict %d", v)
		}
	})
}

// flowKey is the unordered 4-tuple of a decoded record.
func flowKey(r map[string]any) testutil.FlowKey {
	return testutil.TupleKey("TCP", str(r, "source.ip"), str(r, "source.port"), str(r, "destination.ip"), str(r, "destination.port"))
}

// zeekURL renders a file command's path as Zeek's ftp.log arg does.
func zeekURL(server, p string) string {
	if strings.Contains(server, ":") {
		server = "[" + server + "]"
	}
	return "ftp://" + server + "/" + strings.TrimPrefix(p, "/")
}

// loggedByUs reports whether the dissector writes a record for a command
// with this final reply (see logged in dissector.go).
func loggedByUs(cmd string, code int) bool {
	switch cmd {
	case "APPE", "DELE", "RETR", "STOR", "STOU", "ACCT", "PORT", "PASV", "EPRT", "EPSV", "PASS", "AUTH":
		return true
	case "USER":
		return code != 331 && code != 332
	}
	return false
}

// TestCorpusZeek compares the records of every trace with a Zeek ftp.log
// with that log, joined on the 4-tuple and, within a connection, on the
// order of commands (each row is matched to our next record of the same
// command). Rows of commands the dissector does not log (the "<init>",
// USER awaiting a password, SYST, QUIT, which some Zeek tests add to
// FTP::logged_commands) are counted apart. The control connection's
// network.protocol must be ftp.
//
// Known gap, logged and not scored: cwd-navigation.pcap (1,375 of the
// 1,410 rows) lost packets in both directions. The engine's reassembly
// holds a direction behind a hole until the flow ends (it does not yet
// declare the holes the receiver acknowledged, reassembly.Stream.Ack), so
// after the first client hole, 5 minutes into the 10-minute session, the
// client's commands arrive only at the end of the flow, after every
// reply: they are written unanswered and past the parser's bounds (32
// pending, 256 undrained) most are dropped. The parser alone, fed with
// holes declared at the ACK (eval_test.go), agrees on 96.55% of the
// fields; the rest is the working directory Zeek loses after a lost CWD
// reply.
//
// Disagreement classes in the scored traces (see eval_test.go): Zeek pairs
// replies with the wrong command after malformed or missing replies
// (fake-long-commands, ftp-missing-space-after-reply-code,
// ipv6-multiline-reply), where we pair by the RFC 959 code table.
func TestCorpusZeek(t *testing.T) {
	corpus := testutil.CorpusDir(t)
	scored, known := testutil.NewTally(), testutil.NewTally()
	skipped := 0
	for _, trace := range testutil.ZeekTraces(t, "ftp") {
		ty := scored
		if knownGaps[trace] {
			ty = known
		}
		res := sensortest.Run(t, filepath.Join(corpus, "pcap/zeek", trace))
		recs := map[testutil.FlowKey][]map[string]any{}
		for _, r := range res.Datasets(record.DatasetFTP) {
			recs[flowKey(r)] = append(recs[flowKey(r)], r)
		}
		flows := map[testutil.FlowKey]map[string]any{}
		for _, r := range res.Datasets(record.DatasetFlow) {
			flows[flowKey(r)] = r
		}
		next := map[testutil.FlowKey]int{}
		for i, z := range testutil.ReadJSONL(t, filepath.Join(corpus, "truth/zeek", trace, "ftp.jsonl")) {
			where := fmt.Sprintf("%s#%d", trace, i)
			k := testutil.ZeekKey("TCP", z)
			ty.Check(where, "network.protocol", "ftp", str(flows[k], "network.protocol"))
			name := testutil.Str(z["command"])
			code := 0
			fmt.Sscan(testutil.Str(z["reply_code"]), &code)
			if !loggedByUs(name, code) {
				skipped++
				continue
			}
			var r map[string]any
			for j := next[k]; j < len(recs[k]); j++ {
				if str(recs[k][j], "ftp.command") == name {
					r, next[k] = recs[k][j], j+1
					break
				}
			}
			if r == nil {
				ty.Check(where, "command", name, "missing")
				continue
			}
			ty.Check(where, "command", name, str(r, "ftp.command"))
			user := str(r, "user.name")
			if user == "" {
				user = "<unknown>"
			}
			ty.Check(where, "user", testutil.Str(z["user"]), user)
			server := testutil.Str(z["id.resp_h"])
			if name != "PASS" {
				arg := str(r, "ftp.arg")
				if p := str(r, "file.path"); p != "" {
					arg = zeekURL(server, p)
				}
				ty.Check(where, "arg", testutil.Str(z["arg"]), arg)
			}
			ty.Check(where, "reply_code", testutil.Str(z["reply_code"]), str(r, "ftp.reply.code"))
			ty.Check(where, "reply_msg", testutil.Str(z["reply_msg"]), str(r, "ftp.reply.message"))
			var passive, dorig, dresp, dport string
			if sensortest.Get(r, "ftp.data.passive") != nil {
				passive, dresp, dport = str(r, "ftp.data.passive"), str(r, "ftp.data.ip"), str(r, "ftp.data.port")
				dorig = testutil.Str(z["id.orig_h"])
				if passive == "false" {
					dorig = server
				}
			}
			ty.Check(where, "data_channel.passive", testutil.Str(z["data_channel.passive"]), passive)
			ty.Check(where, "data_channel.orig_h", testutil.Str(z["data_channel.orig_h"]), dorig)
			ty.Check(where, "data_channel.resp_h", testutil.Str(z["data_channel.resp_h"]), dresp)
			ty.Check(where, "data_channel.resp_p", testutil.Str(z["data_channel.resp_p"]), dport)
		}
	}
	t.Logf("%d Zeek rows of commands not logged by the dissector (<init>, USER awaiting PASS, SYST, QUIT)", skipped)
	known.Report(t, "Zeek ftp, known gaps (not scored)", 0)
	scored.Report(t, "Zeek ftp", 97)
}

// knownGaps are the traces TestCorpusZeek logs but does not score.
var knownGaps = map[string]bool{"ftp/cwd-navigation.pcap": true}

// TestCorpusDataConnections checks, over every FTP trace of the corpus,
// that each data connection announced by an accepted PASV, EPSV, PORT or
// EPRT and present in the capture is labelled ftp-data and has the
// control connection as its parent. Announced connections the capture does
// not hold are counted apart.
func TestCorpusDataConnections(t *testing.T) {
	corpus := testutil.CorpusDir(t)
	ty := testutil.NewTally()
	absent := 0
	for _, trace := range testutil.ZeekTraces(t, "ftp") {
		res := sensortest.Run(t, filepath.Join(corpus, "pcap/zeek", trace))
		byDst := map[netip.AddrPort][]map[string]any{}
		for _, r := range res.Datasets(record.DatasetFlow) {
			a, err := netip.ParseAddr(str(r, "destination.ip"))
			if err != nil {
				continue
			}
			var port uint16
			fmt.Sscan(str(r, "destination.port"), &port)
			dst := netip.AddrPortFrom(a, port)
			byDst[dst] = append(byDst[dst], r)
		}
		for _, r := range res.Datasets(record.DatasetFTP) {
			if sensortest.Get(r, "ftp.data.port") == nil || !strings.HasPrefix(str(r, "ftp.reply.code"), "2") {
				continue
			}
			var port uint16
			fmt.Sscan(str(r, "ftp.data.port"), &port)
			dst := netip.AddrPortFrom(netip.MustParseAddr(str(r, "ftp.data.ip")), port)
			flows := byDst[dst]
			if len(flows) == 0 {
				absent++
				continue
			}
			where := fmt.Sprintf("%s %s %s", trace, str(r, "ftp.command"), dst)
			f := flows[0]
			ty.Check(where, "network.protocol", ftp.DataProtocol, str(f, "network.protocol"))
			ty.Check(where, "flow.parent_id", str(r, "flow.id"), str(f, "flow.parent_id"))
		}
	}
	t.Logf("%d announced data connections are not in the captures", absent)
	ty.Report(t, "ftp-data", 97)
}

// TestCorpusNDPI checks network.protocol on every flow nDPI labels
// FTP_CONTROL or FTPS (AUTH TLS) by DPI, and nDPI's user.
func TestCorpusNDPI(t *testing.T) {
	corpus := testutil.CorpusDir(t)
	ty := testutil.NewTally()
	for _, n := range append(testutil.NDPIRows(t, "FTP_CONTROL"), testutil.NDPIRows(t, "FTPS")...) {
		res := sensortest.Run(t, filepath.Join(corpus, "pcap/ndpi", n.Pcap))
		where := n.Pcap + " " + n.Key().String()
		var flow map[string]any
		var user string
		for _, r := range res.Records {
			if flowKey(r) != n.Key() {
				continue
			}
			switch sensortest.Get(r, "event.dataset") {
			case string(record.DatasetFlow):
				flow = r
			case string(record.DatasetFTP):
				if u := str(r, "user.name"); u != "" {
					user = u
				}
			}
		}
		ty.Check(where, "network.protocol", "ftp", str(flow, "network.protocol"))
		if n.User != "" {
			ty.Check(where, "user", n.User, user)
		}
	}
	ty.Report(t, "nDPI ftp", 97)
}
