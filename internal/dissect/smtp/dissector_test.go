package smtp_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/flowsift/flowsift/internal/dissect"
	"github.com/flowsift/flowsift/internal/dissect/smtp"
	"github.com/flowsift/flowsift/internal/record"
	"github.com/flowsift/flowsift/internal/testutil"
	"github.com/flowsift/flowsift/internal/testutil/sensortest"
)

// TestGolden runs smtp.pcap (two sessions, one with AUTH LOGIN and a
// MIME mail, one with Cc and In-Reply-To) through the sensor path.
func TestGolden(t *testing.T) {
	res := sensortest.Run(t, "testdata/smtp.pcap")
	sensortest.Golden(t, "testdata/smtp.golden.jsonl", res.Datasets(record.DatasetSMTP))
}

// TestRecords checks the values of known mails and sessions.
func TestRecords(t *testing.T) {
	tests := []struct {
		pcap string
		want []map[string]any // dotted path → value, one map per record
	}{
		{"testdata/smtp.pcap", []map[string]any{{
			"smtp.helo":          "GP",
			"smtp.mail_from":     "gurpartap@patriots.in",
			"smtp.rcpt_to":       []any{"raj_deol2002in@yahoo.co.in"},
			"email.subject":      "SMTP",
			"smtp.last_reply":    "250 OK id=1Mugho-0003Dg-Un",
			"user.name":          "gurpartap@patriots.in", // AUTH LOGIN; the password is never kept
			"network.protocol":   "smtp",
			"destination.port":   "25",
			"email.from.address": `"Gurpartap Singh" <gurpartap@patriots.in>`,
		}, {
			"smtp.mail_from":   "albert@example.com",
			"smtp.rcpt_to":     []any{"ericlim220@yahoo.com", "felica4uu@hotmail.com", "davis_mark1@outlook.com"},
			"email.cc.address": []any{"felica4uu@hotmail.com", "davis_mark1@outlook.com"},
			"email.subject":    "Re: Bro SMTP CC Header",
			"smtp.starttls":    nil,
		}}},
		// STARTTLS: one record of the session, then the dissector is done.
		{"testdata/smtp-starttls.pcap", []map[string]any{{
			"smtp.helo":       "xxxxxxxxxxxxx.xxx.com",
			"smtp.starttls":   true,
			"smtp.last_reply": "220 2.0.0 Ready to start TLS",
			"smtp.mail_from":  nil,
		}, {
			"smtp.starttls":    true,
			"source.port":      "7562",
			"network.protocol": "smtp",
		}}},
		// Four transactions of one session, two of them invalid.
		{"testdata/smtp-mail-transactions-invalid.pcap", []map[string]any{
			{"smtp.last_reply": "250 OK id=1pgobK-001mwq-ED", "smtp.bytes": "18"},
			{"smtp.last_reply": "500 unrecognized command", "smtp.mail_from": nil},
			{"smtp.last_reply": "500 unrecognized command", "smtp.rcpt_to": nil},
			{"smtp.last_reply": "250 OK id=1pgobM-001mwq-Vc"},
		}},
		// BDAT LAST: the queue id of the last reply.
		{"testdata/rfc3030-bdat-example1.pcap", []map[string]any{{
			"smtp.last_reply": "250 2.0.0 Ok: 86 bytes queued as 1E2891CA025",
			"email.subject":   "This is a bodyless test message",
			"smtp.bytes":      "86",
		}}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.pcap), func(t *testing.T) {
			recs := sensortest.Run(t, tt.pcap).Datasets(record.DatasetSMTP)
			if len(recs) != len(tt.want) {
				t.Fatalf("%d smtp records, want %d", len(recs), len(tt.want))
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

// jsonValue turns json.Number into its text so table values stay simple.
func jsonValue(v any) any {
	if s, ok := v.(fmt.Stringer); ok {
		return s.String()
	}
	return v
}

// TestPortIndependence moves both sessions of smtp.pcap to port 10025,
// which no dissector claims: the greeting's content still says SMTP.
func TestPortIndependence(t *testing.T) {
	moved := rewritePort(t, "testdata/smtp.pcap", 25, 10025)
	res := sensortest.Run(t, moved)
	recs := res.Datasets(record.DatasetSMTP)
	if len(recs) != 2 {
		t.Fatalf("%d smtp records on port 10025, want 2", len(recs))
	}
	for _, r := range recs {
		if got := jsonValue(sensortest.Get(r, "destination.port")); got != "10025" {
			t.Errorf("destination.port %v, want 10025", got)
		}
	}
	if got := sensortest.Get(recs[0], "smtp.mail_from"); got != "gurpartap@patriots.in" {
		t.Errorf("mail_from %v on port 10025", got)
	}
	for _, r := range res.Datasets(record.DatasetFlow) {
		if jsonValue(sensortest.Get(r, "destination.port")) == "10025" && sensortest.Get(r, "network.protocol") != "smtp" {
			t.Errorf("flow to port 10025 has network.protocol %v", sensortest.Get(r, "network.protocol"))
		}
	}
}

// rewritePort writes a copy of a capture whose TCP port from is to, with
// the checksums recomputed.
func rewritePort(t *testing.T, in string, from, to layers.TCPPort) string {
	t.Helper()
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "moved.pcap")
	o, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	w := pcapgo.NewWriter(o)
	if err := w.WriteFileHeader(r.Snaplen(), r.LinkType()); err != nil {
		t.Fatal(err)
	}
	for {
		data, ci, err := r.ReadPacketData()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		p := gopacket.NewPacket(data, r.LinkType(), gopacket.Default)
		if tcp, ok := p.Layer(layers.LayerTypeTCP).(*layers.TCP); ok && (tcp.SrcPort == from || tcp.DstPort == from) {
			if tcp.SrcPort == from {
				tcp.SrcPort = to
			} else {
				tcp.DstPort = to
			}
			if err := tcp.SetNetworkLayerForChecksum(p.NetworkLayer()); err != nil {
				t.Fatal(err)
			}
			buf := gopacket.NewSerializeBuffer()
			if err := gopacket.SerializePacket(buf, gopacket.SerializeOptions{ComputeChecksums: true}, p); err != nil {
				t.Fatal(err)
			}
			data = buf.Bytes()
			ci.CaptureLength, ci.Length = len(data), max(ci.Length, len(data))
		}
		if err := w.WritePacket(ci, data); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestProbe tells SMTP from FTP and others by content.
func TestProbe(t *testing.T) {
	server := dissect.Hint{TCP: true}
	client := dissect.Hint{TCP: true, FromClient: true}
	onPort := dissect.Hint{TCP: true, OnPort: true}
	tests := []struct {
		name string
		data string
		h    dissect.Hint
		want dissect.Verdict
	}{
		{"esmtp greeting", "220 mx.example.com ESMTP Postfix\r\n", server, dissect.Yes},
		{"exim multi-line", "220-xc90.websitewelcome.com ESMTP Exim 4.69 #1\r\n220-We do not authorize\r\n", server, dissect.Yes},
		{"exchange", "220 MAIL01.corp.local Microsoft ESMTP MAIL Service ready\r\n", server, dissect.Yes},
		{"bare greeting off port", "220 host.example.com ready\r\n", server, dissect.Maybe},
		{"bare greeting on port", "220 host.example.com ready\r\n", onPort, dissect.Yes},
		{"partial greeting", "22", server, dissect.Maybe},
		{"partial line", "220 mx.exa", server, dissect.Maybe},
		{"ftp greeting", "220 ProFTPD 1.3.5 Server (Debian) [::ffff:10.0.0.1]\r\n", server, dissect.Maybe},
		{"ftp greeting on port", "220 (vsFTPd 3.0.3)\r\n", onPort, dissect.Maybe},
		{"pop3", "+OK Dovecot ready.\r\n", server, dissect.No},
		{"http", "HTTP/1.1 200 OK\r\n", server, dissect.No},
		{"binary", "220 \x00\x01\x02\r\n", server, dissect.No},
		{"ehlo", "EHLO client.example.com\r\n", client, dissect.Yes},
		{"helo lower case", "helo x\r\n", client, dissect.Yes},
		{"mail from mid-session", "MAIL FROM:<a@b.c> SIZE=10\r\n", client, dissect.Yes},
		{"partial ehlo", "EHL", client, dissect.Maybe},
		{"ftp user", "USER anonymous\r\n", client, dissect.No},
		{"http request", "GET / HTTP/1.1\r\n", client, dissect.No},
		{"udp", "220 mx ESMTP\r\n", dissect.Hint{}, dissect.No},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := smtp.Probe([]byte(tt.data), tt.h); got != tt.want {
				t.Errorf("Probe(%q) = %d, want %d", tt.data, got, tt.want)
			}
		})
	}
}

// flowKey is the unordered 4-tuple of a decoded record.
func flowKey(r map[string]any) testutil.FlowKey {
	return testutil.TupleKey("TCP", testutil.Str(sensortest.Get(r, "source.ip")), jsonValue(sensortest.Get(r, "source.port")),
		testutil.Str(sensortest.Get(r, "destination.ip")), jsonValue(sensortest.Get(r, "destination.port")))
}

func set(v []string) string {
	v = slices.Clone(v)
	slices.Sort(v)
	return strings.Join(slices.Compact(v), ",")
}

func str(r map[string]any, path string) string {
	return testutil.Str(jsonValue(sensortest.Get(r, path)))
}

// TestCorpusZeek compares the records of every trace with a Zeek smtp.log
// with that log: rows and records are joined on the 4-tuple and their
// order in the connection. rcptto, to and cc are sets in Zeek: compared
// sorted and deduplicated. The flow's network.protocol must be smtp. The
// bar applies to all rows, known gaps included; the protocol of the
// known-gap traces is logged, not scored.
//
// Known gaps:
//   - connect-with-smtp.pcap: SMTP inside an HTTP CONNECT tunnel. The
//     HTTP dissector owns the connection and stops at the tunnel; handing
//     the tunnelled stream to a second probe is the engine's job (not
//     done yet), so the row has no record.
//   - smtp-bdat-gap.pcap: a synthetic 1,000-byte hole inside a BDAT chunk
//     whose server ACKs never cover it: reassembly reports the hole only
//     at the end, after every server reply (see eval_test.go), so
//     last_reply and the headers differ.
func TestCorpusZeek(t *testing.T) {
	corpus := testutil.CorpusDir(t)
	ty := testutil.NewTally()
	protocols, knownProtocols := testutil.NewTally(), testutil.NewTally()
	for _, trace := range testutil.ZeekTraces(t, "smtp") {
		pt := protocols
		if knownGaps[trace] {
			pt = knownProtocols
		}
		res := sensortest.Run(t, filepath.Join(corpus, "pcap/zeek", trace))
		recs := map[testutil.FlowKey][]map[string]any{}
		for _, r := range res.Datasets(record.DatasetSMTP) {
			recs[flowKey(r)] = append(recs[flowKey(r)], r)
		}
		flows := map[testutil.FlowKey]map[string]any{}
		for _, r := range res.Datasets(record.DatasetFlow) {
			flows[flowKey(r)] = r
		}
		next := map[testutil.FlowKey]int{}
		for i, z := range testutil.ReadJSONL(t, filepath.Join(corpus, "truth/zeek", trace, "smtp.jsonl")) {
			where := fmt.Sprintf("%s#%d", trace, i)
			k := testutil.ZeekKey("TCP", z)
			pt.Check(where, "network.protocol", "smtp", str(flows[k], "network.protocol"))
			if next[k] >= len(recs[k]) {
				ty.Check(where, "record", "present", "missing")
				continue
			}
			r := recs[k][next[k]]
			next[k]++
			ty.Check(where, "record", "present", "present")
			ty.Check(where, "helo", testutil.Str(z["helo"]), str(r, "smtp.helo"))
			ty.Check(where, "mailfrom", testutil.Str(z["mailfrom"]), str(r, "smtp.mail_from"))
			ty.Check(where, "rcptto", set(testutil.Strs(z["rcptto"])), set(testutil.Strs(sensortest.Get(r, "smtp.rcpt_to"))))
			ty.Check(where, "from", testutil.Str(z["from"]), str(r, "email.from.address"))
			ty.Check(where, "to", set(testutil.Strs(z["to"])), set(testutil.Strs(sensortest.Get(r, "email.to.address"))))
			ty.Check(where, "cc", set(testutil.Strs(z["cc"])), set(testutil.Strs(sensortest.Get(r, "email.cc.address"))))
			ty.Check(where, "subject", testutil.Str(z["subject"]), str(r, "email.subject"))
			ty.Check(where, "date", testutil.Str(z["date"]), str(r, "email.origination_timestamp"))
			ty.Check(where, "msg_id", testutil.Str(z["msg_id"]), str(r, "email.message_id"))
			ty.Check(where, "in_reply_to", testutil.Str(z["in_reply_to"]), str(r, "email.in_reply_to"))
			ty.Check(where, "reply_to", testutil.Str(z["reply_to"]), str(r, "email.reply_to.address"))
			ty.Check(where, "user_agent", testutil.Str(z["user_agent"]), str(r, "user_agent.original"))
			ty.Check(where, "x_originating_ip", testutil.Str(z["x_originating_ip"]), str(r, "smtp.x_originating_ip"))
			ty.Check(where, "last_reply", testutil.Str(z["last_reply"]), str(r, "smtp.last_reply"))
			ty.Check(where, "tls", testutil.Str(z["tls"]), fmt.Sprint(sensortest.Get(r, "smtp.starttls") == true))
		}
	}
	ty.Report(t, "Zeek smtp", 97)
	protocols.Report(t, "Zeek smtp flows", 97)
	knownProtocols.Report(t, "Zeek smtp flows (known gaps, not scored)", 0)
}

// knownGaps are the traces TestCorpusZeek explains in its comment.
var knownGaps = map[string]bool{"http/connect-with-smtp.pcap": true, "smtp/smtp-bdat-gap.pcap": true}

// TestCorpusNDPI checks network.protocol on every flow nDPI labels SMTP by
// DPI, and SMTPS where that means STARTTLS (not port 465, which is TLS
// from the first byte: the TLS dissector's flow). nDPI's user (the AUTH
// user name) is compared with user.name.
func TestCorpusNDPI(t *testing.T) {
	corpus := testutil.CorpusDir(t)
	ty := testutil.NewTally()
	runs := map[string]sensortest.Result{}
	for _, n := range append(testutil.NDPIRows(t, "SMTP"), testutil.NDPIRows(t, "SMTPS")...) {
		if n.Sport == 465 || n.Dport == 465 {
			continue
		}
		res, ok := runs[n.Pcap]
		if !ok {
			res = sensortest.Run(t, filepath.Join(corpus, "pcap/ndpi", n.Pcap))
			runs[n.Pcap] = res
		}
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
			case string(record.DatasetSMTP):
				if u := str(r, "user.name"); u != "" {
					user = u
				}
			}
		}
		ty.Check(where, "network.protocol", "smtp", str(flow, "network.protocol"))
		if n.User != "" {
			ty.Check(where, "user", n.User, user)
		}
	}
	ty.Report(t, "nDPI smtp", 97)
}

// FuzzProbe checks that Probe never panics, and that a client's verdict
// rests on its first line: once that line is complete, more bytes do not
// change it.
func FuzzProbe(f *testing.F) {
	for _, s := range []string{"220 mx ESMTP\r\n", "220-a\r\n220 b\r\n", "EHLO x\r\n", "MAIL FROM:<a@b>\r\n", "22", ""} {
		f.Add([]byte(s), []byte("more\r\n"), false)
		f.Add([]byte(s), []byte("QUIT\r\n"), true)
	}
	f.Fuzz(func(t *testing.T, data, more []byte, fromClient bool) {
		for _, onPort := range []bool{false, true} {
			h := dissect.Hint{TCP: true, FromClient: fromClient, OnPort: onPort}
			v := smtp.Probe(data, h)
			if v > dissect.Yes {
				t.Fatalf("verdict %d", v)
			}
			if i := strings.IndexByte(string(data), '\n'); fromClient && i >= 0 && i < 1024 {
				if w := smtp.Probe(append(slices.Clip(data), more...), h); w != v {
					t.Fatalf("Probe(%q) = %d but %d with more bytes after the first line", data, v, w)
				}
			}
		}
	})
}
